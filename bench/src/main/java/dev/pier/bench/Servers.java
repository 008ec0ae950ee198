package dev.pier.bench;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The registry of servers the instrument measures, each started as a separate process that prints
 * {@code READY <port>}. Every command ends with the service's name, port 0 and the poem file, so adding a server is
 * one line here. The first entry is the reference every figure is divided by.
 */
final class Servers {

    /** The reference: every figure is reported as a ratio to this server in the same run. */
    static final String REFERENCE = "netty-epoll";

    /**
     * A named server.
     *
     * @param name        short name used on the command line and in the report
     * @param description what it is, for the report
     * @param services    what it can serve
     * @param command     the command line for a service, given where the tools are
     * @param unavailable why it cannot run here, if it cannot
     */
    record Server(String name, String description, Set<Service> services,
                  BiFunction<Tools, Service, List<String>> command, Function<Tools, Optional<String>> unavailable) {
    }

    private static final Set<Service> ALL = EnumSet.allOf(Service.class);
    private static final String PIER_SERVER = "dev.pier.bench.PierServer";

    private Servers() {
    }

    static List<Server> all() {
        return List.of(
                java(REFERENCE, "Netty 4.2, native epoll transport, one event loop per core (UDP: one channel)", ALL,
                        "dev.pier.bench.NettyServer", "epoll"),
                pier("pier-reactor", "Pier, event-driven model, ReactorGroup: one reactor per core (UDP: one)",
                        "reactor"),
                pier("pier-virtual", "Pier, socketserver model (TcpServer, UdpServer), a virtual thread per request",
                        "virtual"),
                java("netty-nio", "Netty 4.2, NIO transport, one event loop per core (UDP: one channel)", ALL,
                        "dev.pier.bench.NettyServer", "nio"),
                new Server("c-epoll", "C, one thread, level-triggered epoll (the ceiling on one core)", ALL,
                        (tools, service) -> withArguments(List.of(tools.cServer().toString()), tools, service),
                        tools -> tools.missingFile(tools.cServer(), "the C server (scripts/bench compiles it)")),
                new Server("python-socketserver", "Python socketserver, ThreadingTCPServer / UDPServer", ALL,
                        (tools, service) -> python(tools, "socketserver", service),
                        tools -> tools.missingFile(tools.python(), "python3")),
                new Server("twisted", "Python Twisted, epoll reactor", ALL,
                        (tools, service) -> python(tools, "twisted", service),
                        Tools::missingTwisted));
    }

    private static Server java(String name, String description, Set<Service> services, String mainClass,
                               String... leadingArguments) {
        return new Server(name, description, services,
                (tools, service) -> withArguments(tools.javaCommand(mainClass, leadingArguments), tools, service),
                tools -> Tools.missingClass(mainClass));
    }

    /** Pier's own servers, all in {@value #PIER_SERVER} with the model as first argument. */
    private static Server pier(String name, String description, String model) {
        return java(name, description, ALL, PIER_SERVER, model);
    }

    private static List<String> python(Tools tools, String library, Service service) {
        List<String> command = List.of(tools.python().toString(), tools.pythonPeers().toString(), library);
        return withArguments(command, tools, service);
    }

    private static List<String> withArguments(List<String> command, Tools tools, Service service) {
        List<String> full = new ArrayList<>(command);
        full.addAll(List.of(service.argument(), "0", tools.poem().toString()));
        return full;
    }
}
