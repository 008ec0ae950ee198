package dev.pier.app.cli;

import dev.pier.blocking.Forking;
import dev.pier.endpoint.Endpoint;
import dev.pier.endpoint.ProxiedEndpoint;
import dev.pier.endpoint.ServerEndpoint;
import dev.pier.endpoint.SystemdEndpoint;
import dev.pier.endpoint.TcpEndpoint;
import dev.pier.endpoint.UdpEndpoint;
import dev.pier.endpoint.UnixDatagramEndpoint;
import dev.pier.endpoint.UnixEndpoint;
import java.io.PrintWriter;
import java.lang.System.Logger.Level;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The options every serving command shares, as a picocli mixin: where to listen ({@code --listen}, or the shorthands
 * {@code --port}/{@code --iface} and {@code --path}), how long a stop may drain ({@code --grace}), the longest datagram
 * ({@code --max-datagram}), the log ({@code --log-file}, {@code --log-level}) and the pid file. An option that does
 * not apply to the transport chosen is a usage error, never silently ignored.
 *
 * <p>{@code --listen} takes an endpoint description and means what it means in Twisted: {@code tcp:0} (or a bare
 * {@code 0}) listens on every interface. The shorthand {@code --port} listens on {@value #DEFAULT_INTERFACE} unless
 * {@code --iface} says otherwise, so that a server is not reachable from the network by surprise.
 */
public final class ServiceOptions {

    /** Where {@code --port} listens unless {@code --iface} says otherwise: this machine only. */
    public static final String DEFAULT_INTERFACE = "127.0.0.1";

    /** The largest UDP payload over IPv4, which the reactor accepts too: every model takes the same datagrams. */
    public static final int MAX_DATAGRAM = 65_507;

    /** How long requests in progress may go on after a stop, unless {@code --grace} says otherwise. */
    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(10);

    /**
     * What a command serves: the transports it speaks, and where it listens when told nothing ({@code path} is the
     * socket file of the Unix transports, null if the command has none by default).
     */
    public record Defaults(Set<SocketKind> kinds, int port, Path path) {}

    @Spec(Spec.Target.MIXEE)
    private CommandSpec command;

    @Option(names = "--listen", paramLabel = "ENDPOINT",
            description = {"where to listen, once per server: tcp:PORT[:interface=HOST], "
                    + "ssl:PORT:privateKey=KEY.pem[:certKey=CERT.pem][:interface=HOST] (TLS), "
                    + "udp:PORT[:interface=HOST], unix:PATH[:mode=OCTAL] or unixgram:PATH[:mode=OCTAL]; "
                    + "haproxy: before a stream endpoint reads "
                    + "a PROXY header first. As in Twisted, tcp:PORT without interface= (or a bare PORT) listens on "
                    + "every interface; socket files get mode 666 unless mode= says otherwise"})
    private List<String> listen = new ArrayList<>();

    @Option(names = "--port", paramLabel = "N",
            description = "shorthand for --listen tcp:N:interface=HOST (udp: for pier echo --transport udp); 0 for "
                    + "any free port; several servers get N, N+1, ...")
    private Integer port;

    @Option(names = "--iface", paramLabel = "HOST",
            description = "the interface for --port (default: " + DEFAULT_INTERFACE + ", this machine only)")
    private String iface;

    @Option(names = "--path", paramLabel = "PATH",
            description = "shorthand for --listen unix:PATH (unixgram: for pier echo --transport unixgram), once "
                    + "per server")
    private List<Path> paths = new ArrayList<>();

    @Option(names = "--grace", paramLabel = "SECONDS",
            description = "on SIGTERM or Ctrl-C, how long requests in progress may go on before they are cut off "
                    + "(default: 10)")
    private String graceSeconds;

    @Option(names = "--max-datagram", paramLabel = "BYTES",
            description = "udp and unixgram: the longest datagram accepted; longer ones are dropped and logged "
                    + "(default: " + MAX_DATAGRAM + ")")
    private Integer maxDatagram;

    @Option(names = "--log-file", paramLabel = "FILE",
            description = "log to FILE (appending) instead of stderr; SIGUSR1 reopens it after log rotation")
    private Path logFile;

    @Option(names = "--log-level", paramLabel = "LEVEL", defaultValue = "info",
            description = "the least important events logged: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
    private LogLevel logLevel;

    @Option(names = "--pid-file", paramLabel = "FILE",
            description = "write the process id to FILE while running; refuse to start if a running process holds it")
    private Path pidFile;

    @Option(names = "--metrics", paramLabel = "ENDPOINT",
            description = "serve GET /healthz (200 while serving, 503 once a stop begins) and GET /metrics "
                    + "(Prometheus text format) over HTTP on ENDPOINT: tcp:PORT[:interface=HOST], or a bare PORT "
                    + "on " + DEFAULT_INTERFACE + "; as with --listen, tcp:PORT without interface= is every interface")
    private String metrics;

    private static final System.Logger LOG = System.getLogger(ServiceOptions.class.getName());

    /** The endpoints {@link #endpoints} gave out, whose stale socket files {@link #serve} replaces. */
    private final List<ServerEndpoint> given = new ArrayList<>();

    /**
     * One endpoint per server: the {@code --listen} ones in order, else from the shorthands: socket files from
     * {@code --path} for the Unix transports, consecutive ports from {@code --port} on {@code --iface} for the others
     * (port 0 stays 0 for every server, each getting a free port).
     *
     * @param transport the transport the shorthands mean (e.g. from {@code --transport}), or null to take the Unix
     *                  stream transport if {@code --path} is given, else tcp
     */
    public List<ServerEndpoint> endpoints(int servers, SocketKind transport, Defaults defaults) {
        List<ServerEndpoint> endpoints = listen.isEmpty()
                ? fromShorthands(servers, transport, defaults)
                : fromListen(servers, transport, defaults);
        given.addAll(endpoints);
        if (maxDatagram != null) {
            if (maxDatagram < 1 || maxDatagram > MAX_DATAGRAM) {
                throw usage("--max-datagram must be between 1 and " + MAX_DATAGRAM + ", not " + maxDatagram);
            }
            SocketKind stream = endpoints.stream().map(SocketKind::of).filter(SocketKind::isStream).findFirst()
                    .orElse(null);
            if (stream != null) {
                throw usage("--max-datagram applies to udp and unixgram, not to " + stream);
            }
        }
        return endpoints;
    }

    private List<ServerEndpoint> fromListen(int servers, SocketKind transport, Defaults defaults) {
        String shorthand = port != null ? "--port" : iface != null ? "--iface" : !paths.isEmpty() ? "--path"
                : transport != null ? "--transport" : null;
        if (shorthand != null) {
            throw usage("give either --listen or " + shorthand + ", not both: an endpoint names its own transport "
                    + "and address");
        }
        if (listen.size() != servers) {
            throw usage("--listen must be given once per server (" + count(servers, "server") + " here), not "
                    + count(listen.size(), "time"));
        }
        List<ServerEndpoint> endpoints = new ArrayList<>();
        for (String description : listen) {
            ServerEndpoint endpoint;
            try {
                endpoint = Endpoint.parseServer(description);
            } catch (IllegalArgumentException e) {
                throw usage("--listen: " + e.getMessage());
            }
            if (!defaults.kinds().contains(SocketKind.of(endpoint))) {
                throw usage("--listen '" + description + "': " + command.qualifiedName() + " serves over "
                        + kinds(defaults.kinds()) + " only");
            }
            if (isSystemd(endpoint)) {
                if (endpoints.stream().anyMatch(ServiceOptions::isSystemd)) {
                    throw usage("--listen '" + description + "': a process serves one socket systemd passed (the JDK"
                            + " takes over one per process), and " + endpoints.stream().filter(ServiceOptions::isSystemd)
                            .findFirst().orElseThrow().describe() + " is one already: run one pier per socket");
                }
                endpoints.add(endpoint);
                continue;
            }
            String host = switch (endpoint.socket()) {
                case TcpEndpoint tcp -> tcp.host();
                case UdpEndpoint udp -> udp.host();
                case UnixEndpoint unix -> "";
                case UnixDatagramEndpoint unixgram -> "";
            };
            if (!host.isEmpty()) {
                checkHost("--listen '" + description + "'", host);
            }
            try {
                endpoint.layers();   // reads the files a layer needs (TLS keys): a bad one is a usage error
            } catch (IllegalArgumentException e) {
                throw usage("--listen '" + description + "': " + e.getMessage());
            }
            endpoints.add(endpoint);
        }
        return endpoints;
    }

    private List<ServerEndpoint> fromShorthands(int servers, SocketKind transport, Defaults defaults) {
        SocketKind kind = transport != null ? transport : !paths.isEmpty() ? SocketKind.UNIX : SocketKind.TCP;
        if (!defaults.kinds().contains(kind)) {
            throw usage(command.qualifiedName() + " serves over " + kinds(defaults.kinds()) + " only, not " + kind);
        }
        List<ServerEndpoint> endpoints = new ArrayList<>();
        if (kind.isUnixDomain()) {
            String inetOption = port != null ? "--port" : iface != null ? "--iface" : null;
            if (inetOption != null) {
                throw usage(paths.isEmpty() ? inetOption + " applies to tcp and udp, not to " + kind + ": give --path"
                        : "give either " + inetOption + " or --path, not both: one is for tcp and udp, the other "
                                + "for unix sockets");
            }
            List<Path> files = paths.isEmpty() && defaults.path() != null ? List.of(defaults.path()) : paths;
            if (files.size() != servers) {
                throw usage("--path must be given once per server (" + count(servers, "server") + " here), not "
                        + count(files.size(), "time"));
            }
            for (Path file : files) {
                try {
                    endpoints.add(kind.endpoint(null, 0, file));
                } catch (IllegalArgumentException e) {
                    throw usage("--path: " + e.getMessage());
                }
            }
            return endpoints;
        }
        if (!paths.isEmpty()) {
            throw usage("--path applies to unix and unixgram, not to " + kind + ": give --port");
        }
        String host = iface == null ? DEFAULT_INTERFACE : iface;
        checkHost("--iface", host);
        int first = port == null ? defaults.port() : port;
        if (first < 0 || first > 65535 || (first > 0 && first + servers - 1 > 65535)) {
            throw usage("--port must be between 0 and 65535, not " + first);
        }
        for (int i = 0; i < servers; i++) {
            endpoints.add(kind.endpoint(host, first == 0 ? 0 : first + i, null));
        }
        return endpoints;
    }

    /** How long a stop may drain requests in progress. */
    public Duration grace() {
        if (graceSeconds == null) {
            return DEFAULT_GRACE;
        }
        try {
            BigDecimal seconds = new BigDecimal(graceSeconds.strip());
            if (seconds.signum() >= 0 && seconds.compareTo(BigDecimal.valueOf(1_000_000_000L)) <= 0) {
                return Duration.ofNanos(seconds.movePointRight(9).longValue());
            }
        } catch (NumberFormatException notANumber) {
            // said below
        }
        throw usage("--grace must be a number of seconds, 0 or more, not '" + graceSeconds + "'");
    }

    /** The longest datagram a datagram server accepts. */
    public int maxDatagram() {
        return maxDatagram == null ? MAX_DATAGRAM : maxDatagram;
    }

    /**
     * Serves as {@link Serving#untilStopped} does, logging where {@code --log-file} and {@code --log-level} say,
     * replacing socket files left behind by servers that are gone, and holding the {@code --pid-file} meanwhile.
     *
     * <p>In a child JVM that a forking server started, the one place where the command knows it is one: the command
     * line was re-run there to handle one request, and the parent owns the pid file, the socket files, the ready lines
     * and the stop.
     */
    public int serve(List<Serving.Start> servers) {
        Duration grace = grace();
        TcpEndpoint metricsEndpoint = metricsEndpoint();
        PrintWriter out = command.commandLine().getOut();
        PrintWriter err = command.commandLine().getErr();
        if (logFile != null) {
            LogSetup.toFile(logFile);
        }
        LogSetup.setLevel(logLevel.level());
        if (Forking.isForkedChild()) {
            LogSetup.writeEachLineBeforeGoingOn();
            return Serving.handOverRequests(servers);
        }
        for (ServerEndpoint endpoint : given) {
            Servers.removeStaleSocketFile(endpoint);
        }
        try (PidFile pid = pidFile == null ? null : PidFile.claim(pidFile)) {
            int status = Serving.untilStopped(servers, grace, metricsEndpoint, out, err);
            LOG.log(Level.INFO, "stopped");
            return status;
        }
    }

    /** Where {@code --metrics} serves, or null without it. */
    TcpEndpoint metricsEndpoint() {
        if (metrics == null) {
            return null;
        }
        TcpEndpoint endpoint;
        try {
            endpoint = MetricsServer.parse(metrics);
        } catch (IllegalArgumentException e) {
            throw usage("--metrics: " + e.getMessage());
        }
        if (!endpoint.host().isEmpty()) {
            checkHost("--metrics '" + metrics + "'", endpoint.host());
        }
        return endpoint;
    }

    private static boolean isSystemd(ServerEndpoint endpoint) {
        return endpoint instanceof SystemdEndpoint
                || endpoint instanceof ProxiedEndpoint proxied && proxied.inner() instanceof SystemdEndpoint;
    }

    private void checkHost(String option, String host) {
        try {
            InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw usage(option + ": unknown host '" + host + "'");
        }
    }

    private ParameterException usage(String message) {
        return new ParameterException(command.commandLine(), message);
    }

    private static String kinds(Set<SocketKind> kinds) {
        return kinds.stream().sorted().map(SocketKind::toString).collect(Collectors.joining(" and "));
    }

    private static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
