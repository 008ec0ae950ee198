package dev.pier.app.cli;

import static dev.pier.app.cli.Options.option;
import static dev.pier.app.cli.Options.repeatable;

import dev.pier.endpoint.Endpoint;
import dev.pier.endpoint.ProxiedEndpoint;
import dev.pier.endpoint.ServerEndpoint;
import dev.pier.endpoint.SystemdEndpoint;
import dev.pier.endpoint.TcpEndpoint;
import dev.pier.endpoint.UdpEndpoint;
import dev.pier.endpoint.UnixDatagramEndpoint;
import dev.pier.endpoint.UnixEndpoint;
import dev.pier.reactor.ReactorGroup;
import dev.pier.reactor.ReactorOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The options every serving command shares, as a picocli mixin ({@link #mixinOf}): where to listen
 * ({@code --listen}, or the shorthands {@code --port}/{@code --iface} and {@code --path}) and the longest datagram
 * ({@code --max-datagram}), with those of the process ({@link ProcessOptions}). An option that does not apply to the
 * transport chosen is a usage error, never silently ignored.
 *
 * <p>{@code --listen} takes an endpoint description and means what it means in Twisted: {@code tcp:0} (or a bare
 * {@code 0}) listens on every interface. The shorthand {@code --port} listens on {@value #DEFAULT_INTERFACE} unless
 * {@code --iface} says otherwise, so that a server is not reachable from the network by surprise.
 */
public final class ServiceOptions extends ProcessOptions {

    /** The largest UDP payload over IPv4, which the reactor accepts too: every model takes the same datagrams. */
    public static final int MAX_DATAGRAM = 65_507;

    /**
     * What a command serves: the transports it speaks, and where it listens when told nothing ({@code path} is the
     * socket file of the Unix transports, null if the command has none by default).
     */
    public record Defaults(Set<SocketKind> kinds, int port, Path path) {}

    private List<String> listen = List.of();
    private Integer port;
    private String iface;
    private List<Path> paths = List.of();
    private Integer maxDatagram;
    private Integer requestsPerChild;

    /** The endpoints {@link #endpoints} gave out, whose stale socket files {@link #serve} replaces. */
    private final List<ServerEndpoint> given = new ArrayList<>();

    /** The event loops {@link #loops()} gave out, started with the first server that needed them. */
    private ReactorGroup loops;

    public ServiceOptions() {
        options.addOption(repeatable("--listen", "ENDPOINT", String.class, value -> listen = value,
                "where to listen, once per server: tcp:PORT[:interface=HOST], "
                        + "ssl:PORT:privateKey=KEY.pem[:certKey=CERT.pem][:interface=HOST] (TLS), "
                        + "udp:PORT[:interface=HOST], unix:PATH[:mode=OCTAL] or unixgram:PATH[:mode=OCTAL]; "
                        + "haproxy: before a stream endpoint reads "
                        + "a PROXY header first. As in Twisted, tcp:PORT without interface= (or a bare PORT) listens "
                        + "on every interface; socket files get mode 666 unless mode= says otherwise").build());
        options.addOption(option("--port", "N", Integer.class, value -> port = value,
                "shorthand for --listen tcp:N:interface=HOST (udp: for pier echo --transport udp); 0 for "
                        + "any free port; several servers get N, N+1, ...").build());
        options.addOption(option("--iface", "HOST", String.class, value -> iface = value,
                "the interface for --port (default: " + DEFAULT_INTERFACE + ", this machine only)").build());
        options.addOption(repeatable("--path", "PATH", Path.class, value -> paths = value,
                "shorthand for --listen unix:PATH (unixgram: for pier echo --transport unixgram), once "
                        + "per server").build());
        options.addOption(option("--max-datagram", "BYTES", Integer.class, value -> maxDatagram = value,
                "udp and unixgram: the longest datagram accepted; longer ones are dropped and logged "
                        + "(default: " + MAX_DATAGRAM + ")").build());
        options.addOption(option("--requests-per-child", "N", Integer.class, value -> requestsPerChild = value,
                "with --concurrency forking: the requests a child serves, one after the other, before it exits "
                        + "(default: 1, a fresh process per request as in Python's ForkingMixIn; more spreads a "
                        + "JVM's start over N requests, as Apache's and gunicorn's workers do)").build());
    }

    /**
     * How many requests a forked child serves before it exits, checked against the concurrency chosen: a usage
     * error unless it is forking.
     */
    public int requestsPerChild(ConcurrencyMode concurrency) {
        if (requestsPerChild == null) {
            return 1;
        }
        if (concurrency != ConcurrencyMode.FORKING) {
            throw usage("--requests-per-child applies to --concurrency forking, not to " + concurrency);
        }
        if (requestsPerChild < 1) {
            throw usage("--requests-per-child must be at least 1, not " + requestsPerChild);
        }
        return requestsPerChild;
    }

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

    /** The longest datagram a datagram server accepts. */
    public int maxDatagram() {
        return maxDatagram == null ? MAX_DATAGRAM : maxDatagram;
    }

    /**
     * The event loops, one per core, this command's reactor servers share: under {@code pier run} those every service
     * of the process shares (unless {@code --max-datagram} asks for loops of their own), else the command's own.
     */
    public ReactorGroup loops() {
        if (loops == null) {
            loops = composition() != null && maxDatagram == null ? composition().loops()
                    : ReactorGroup.start(ReactorOptions.defaults().withMaxDatagramSize(maxDatagram()));
        }
        return loops;
    }

    /** Serves as {@link ProcessOptions#serve} does, on the endpoints {@link #endpoints} gave out. */
    public int serve(List<Serving.Start> servers) {
        return serve(servers, given, false);
    }

    private static boolean isSystemd(ServerEndpoint endpoint) {
        return endpoint instanceof SystemdEndpoint
                || endpoint instanceof ProxiedEndpoint proxied && proxied.inner() instanceof SystemdEndpoint;
    }

    private static String kinds(Set<SocketKind> kinds) {
        return kinds.stream().sorted().map(SocketKind::toString).collect(Collectors.joining(" and "));
    }

    private static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
