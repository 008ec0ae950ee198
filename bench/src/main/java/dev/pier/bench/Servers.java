package dev.pier.bench;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The registry of servers the instrument measures, each started as a separate process that prints a ready line
 * naming its port. Every command ends with the service's name, port 0 and the poem file, so adding a server is one
 * line here. Each scenario divides every figure by its reference's ({@link Scenario#reference()}).
 */
final class Servers {

    /** The reference of the load scenarios: their figures are ratios to this server in the same run. */
    static final String NETTY_EPOLL = "netty-epoll";
    /** The reference of the start-up scenario, as the poetry tutorial's own server. */
    static final String TWISTED = "twisted";
    /** The second reference of the TLS scenarios: Netty on OpenSSL (BoringSSL) rather than the JDK's TLS. */
    static final String NETTY_OPENSSL = "netty-openssl";

    /**
     * A named server.
     *
     * @param name        short name used on the command line and in the report
     * @param description what it is, for the report
     * @param scenarios   the scenarios it takes part in
     * @param ready       its ready line; the first group is the port
     * @param command     the command line for a service, given where the tools are
     * @param unavailable why it cannot run here, if it cannot
     */
    record Server(String name, String description, Set<Scenario> scenarios, Pattern ready,
                  BiFunction<Tools, Service, List<String>> command, Function<Tools, Optional<String>> unavailable) {
    }

    private static final Set<Scenario> ALL = EnumSet.allOf(Scenario.class);
    private static final Set<Scenario> TLS = EnumSet.of(Scenario.TLS_ECHO, Scenario.TLS_POETRY);
    /** Every scenario but TLS: the peers that do not take part in those. */
    private static final Set<Scenario> PLAIN = EnumSet.complementOf(EnumSet.copyOf(TLS));
    private static final String PIER_SERVER = "dev.pier.bench.PierServer";

    private Servers() {
    }

    static List<Server> all() {
        return List.of(
                java(NETTY_EPOLL, "Netty 4.2, native epoll transport, one event loop per core (UDP: one channel; TLS: "
                                + "`SslHandler` on the JDK's TLS)", ALL,
                        tools -> List.of(), "dev.pier.bench.NettyServer", "epoll"),
                pier("pier-reactor", "Pier, event-driven model, ReactorGroup: one reactor per core (UDP: one)",
                        "reactor"),
                pier("pier-virtual", "Pier, socketserver model (TcpServer, UdpServer), a virtual thread per request",
                        "virtual"),
                new Server("pier-cli", "Pier's `./pier poetry serve`, started through the launcher as users start it"
                        + " (start-up only)", EnumSet.of(Scenario.STARTUP),
                        Pattern.compile("^Serving \\S+ on tcp:(\\d+)"),
                        (tools, service) -> List.of(tools.launcher().toString(), "poetry", "serve", "--port", "0",
                                tools.poem().toString()),
                        tools -> tools.missingFile(tools.launcher(), "the pier launcher")),
                java(NETTY_OPENSSL, "Netty 4.2 as `netty-epoll`, its `SslHandler` on OpenSSL (netty-tcnative's "
                                + "BoringSSL) (TLS only)", TLS,
                        tools -> List.of(), "dev.pier.bench.NettyServer", "epoll-openssl"),
                java("netty-nio", "Netty 4.2, NIO transport, one event loop per core (UDP: one channel)", PLAIN,
                        tools -> List.of(),
                        "dev.pier.bench.NettyServer", "nio"),
                new Server("c-epoll", "C, level-triggered epoll, one thread and socket per core (SO_REUSEPORT): the ceiling", PLAIN,
                        ServerProcess.READY,
                        (tools, service) -> withArguments(List.of(tools.cServer().toString()), tools, service),
                        tools -> tools.missingFile(tools.cServer(), "the C server (scripts/bench compiles it)")),
                new Server("python-socketserver", "Python socketserver, ThreadingTCPServer / UDPServer", PLAIN,
                        ServerProcess.READY, (tools, service) -> python(tools, "socketserver", service),
                        tools -> tools.missingFile(tools.python(), "python3")),
                new Server(TWISTED, "Python Twisted, epoll reactor", PLAIN, ServerProcess.READY,
                        (tools, service) -> python(tools, "twisted", service), Tools::missingTwisted));
    }

    private static Server java(String name, String description, Set<Scenario> scenarios,
                               Function<Tools, List<String>> jvmOptions, String mainClass, String... leadingArguments) {
        return new Server(name, description, scenarios, ServerProcess.READY,
                (tools, service) -> withArguments(
                        tools.javaCommand(jvmOptions.apply(tools), mainClass, leadingArguments), tools, service),
                tools -> Tools.missingClass(mainClass));
    }

    /** Pier's own servers, in {@value #PIER_SERVER} with the model as first argument, with the launcher's options. */
    private static Server pier(String name, String description, String model) {
        return java(name, description, ALL, tools -> List.of(tools.pierJvmOptions()), PIER_SERVER, model);
    }

    private static List<String> python(Tools tools, String library, Service service) {
        List<String> command = List.of(tools.python().toString(), tools.pythonPeers().toString(), library);
        return withArguments(command, tools, service);
    }

    /** The service, port 0 and the poem; for TLS also the private key and certificate every TLS peer presents. */
    private static List<String> withArguments(List<String> command, Tools tools, Service service) {
        List<String> full = new ArrayList<>(command);
        full.addAll(List.of(service.argument(), "0", tools.poem().toString()));
        if (service.tls()) {
            full.addAll(List.of(tools.tlsKey().toString(), tools.tlsCertificate().toString()));
        }
        return full;
    }
}
