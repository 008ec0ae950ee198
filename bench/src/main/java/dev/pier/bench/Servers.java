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
    /** The reference of the forking scenarios: Python's {@code socketserver.ForkingTCPServer}. */
    static final String PYTHON_FORKING = "python-forking";

    /** The ready line of Pier's commands, {@code Serving echo on tcp:PORT:interface=127.0.0.1} (or udp:). */
    private static final Pattern PIER_READY = Pattern.compile("^Serving \\S+ on (?:tcp|udp):(\\d+)");

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

    private static final Set<Scenario> TLS = EnumSet.of(Scenario.TLS_ECHO, Scenario.TLS_POETRY);
    /** The scenarios of servers that fork a process per connection, which only those take part in. */
    private static final Set<Scenario> FORKING = EnumSet.of(Scenario.FORKING_WARM, Scenario.FORKING_STEADY);
    /** Every scenario of the servers that serve in process. */
    private static final Set<Scenario> ALL = EnumSet.complementOf(EnumSet.copyOf(FORKING));
    /** Every scenario but TLS and forking: the peers that do not take part in TLS. */
    private static final Set<Scenario> PLAIN = EnumSet.complementOf(union(TLS, FORKING));
    /** The scenarios Pier's commands take part in next to the library's servers. */
    private static final Set<Scenario> COMMANDS =
            EnumSet.of(Scenario.ECHO, Scenario.ECHO_LATENCY, Scenario.POETRY, Scenario.UDP, Scenario.IDLE);
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
                command("pier-cli-reactor", "Pier's commands as users run them, through the launcher `./pier` "
                        + "with their default logging: `pier echo --concurrency reactor` (UDP: `--transport udp`), "
                        + "`pier poetry serve --concurrency reactor`, one event loop per core", COMMANDS, "reactor"),
                command("pier-cli-virtual", "the same commands with `--concurrency virtual` (`pier echo`'s "
                        + "default)", COMMANDS, "virtual"),
                new Server("pier-cli", "Pier's `./pier poetry serve`, started through the launcher as users start it"
                        + " (start-up only)", EnumSet.of(Scenario.STARTUP), PIER_READY,
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
                        (tools, service) -> python(tools, "twisted", service), Tools::missingTwisted),
                new Server(PYTHON_FORKING, "Python socketserver, ForkingTCPServer: a `fork()` per connection "
                        + "(forking only)", FORKING, ServerProcess.READY,
                        (tools, service) -> python(tools, "forking", service),
                        tools -> tools.missingFile(tools.python(), "python3")),
                new Server("pier-cli-forking", "`./pier echo --concurrency forking` through the launcher: a child "
                        + "JVM per connection, some kept warm (forking only)", FORKING, PIER_READY,
                        (tools, service) -> List.of(tools.launcher().toString(), "echo", "--port", "0",
                                "--concurrency", "forking"),
                        tools -> tools.missingFile(tools.launcher(), "the pier launcher")));
    }

    /**
     * Pier's own commands started through the launcher with {@code --concurrency MODE} and their default logging,
     * so that the figures are those of what users run: {@code pier echo} for echo (with {@code --transport udp}
     * for UDP), {@code pier poetry serve} for poetry. The launcher ends in {@code exec java}, so the process
     * measured is the JVM itself.
     */
    private static Server command(String name, String description, Set<Scenario> scenarios, String mode) {
        return new Server(name, description, scenarios, PIER_READY, (tools, service) -> {
            List<String> command = new ArrayList<>(List.of(tools.launcher().toString()));
            command.addAll(switch (service) {
                case ECHO -> List.of("echo");
                case UDP -> List.of("echo", "--transport", "udp");
                case POETRY -> List.of("poetry", "serve");
                case TLS_ECHO, TLS_POETRY -> throw new IllegalArgumentException(name + " serves no TLS scenario");
            });
            command.addAll(List.of("--port", "0", "--concurrency", mode));
            if (service == Service.POETRY) {
                command.add(tools.poem().toString());
            }
            return command;
        }, tools -> tools.missingFile(tools.launcher(), "the pier launcher"));
    }

    private static EnumSet<Scenario> union(Set<Scenario> first, Set<Scenario> second) {
        EnumSet<Scenario> both = EnumSet.copyOf(first);
        both.addAll(second);
        return both;
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
