package dev.pier.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;
import javax.net.ssl.SSLContext;

/** The scenarios the instrument runs, each against one service of the peers. */
enum Scenario {
    ECHO(Service.ECHO, "echoes/s", true),
    ECHO_LATENCY(Service.ECHO, "µs p99", false),
    POETRY(Service.POETRY, "poems/s", true),
    UDP(Service.UDP, "datagrams/s", true),
    IDLE(Service.ECHO, "MiB peak RSS", false),
    STREAM(Service.ECHO, "MB/s", true),
    STARTUP(Service.POETRY, "ms to ready", false),
    FORKING_WARM(Service.ECHO, "ms to first byte", false),
    FORKING_STEADY(Service.ECHO, "ms to first byte", false),
    TLS_ECHO(Service.TLS_ECHO, "echoes/s", true),
    TLS_POETRY(Service.TLS_POETRY, "handshakes/s", true);

    /** How long one run of the idle or streaming scenario may take before what is left counts as failed. */
    static final Duration PATIENCE = Duration.ofSeconds(60);

    final Service service;
    final String unit;
    final boolean higherIsBetter;

    Scenario(Service service, String unit, boolean higherIsBetter) {
        this.service = service;
        this.unit = unit;
        this.higherIsBetter = higherIsBetter;
    }

    String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Whether the driver speaks TLS to the servers: it then needs the certificate they present. */
    boolean tls() {
        return service.tls();
    }

    static Scenario byId(String id) {
        for (Scenario scenario : values()) {
            if (scenario.id().equals(id)) {
                return scenario;
            }
        }
        throw new IllegalArgumentException("unknown scenario '" + id + "': use one of echo, echo-latency, poetry, "
                + "udp, idle, stream, startup, forking-warm, forking-steady, tls-echo, tls-poetry");
    }

    String title(Settings settings) {
        return switch (this) {
            case ECHO -> "Echo ping-pong: " + settings.messageSize() + "-byte messages, "
                    + settings.echoConnections() + " connections";
            case ECHO_LATENCY -> "Echo latency, open loop: " + settings.messageSize() + "-byte messages over "
                    + settings.echoConnections() + " connections at "
                    + (settings.offeredRate() > 0 ? String.format(Locale.ROOT, "%,.0f/s, ", settings.offeredRate())
                            : "")
                    + Math.round(settings.offeredShare() * 100) + "% of " + Servers.NETTY_EPOLL + "'s peak";
            case POETRY -> "Fast poetry: " + settings.poetryClients() + " clients connecting, reading a "
                    + settings.poemBytes() + "-byte poem to EOF, reconnecting";
            case UDP -> "UDP echo: " + settings.messageSize() + "-byte datagrams, " + settings.udpSenders()
                    + " senders";
            case IDLE -> settings.idleConnections() + " idle connections held open, then each echoes once";
            case STREAM -> "One connection streaming " + bytes(settings.streamBytes()) + " through an echo";
            case STARTUP -> "Process start to ready line (fast poetry server)";
            case FORKING_WARM -> "Forking echo, warm child: connect to first byte, " + settings.forkingRequests()
                    + " requests one at a time, " + plain(settings.forkingPause().toMillis() / 1000.0)
                    + " s apart";
            case FORKING_STEADY -> "Forking echo, steady load: connect to first byte, "
                    + plain(settings.forkingRate()) + " connections/s for "
                    + plain(settings.forkingSteady().toMillis() / 1000.0) + " s";
            case TLS_ECHO -> "TLS echo ping-pong: " + settings.messageSize() + "-byte messages, "
                    + settings.echoConnections() + " connections, handshakes done before measuring";
            case TLS_POETRY -> "TLS handshakes: " + settings.poetryClients() + " clients connecting, a full TLS 1.3 "
                    + "handshake, reading a " + settings.poemBytes() + "-byte poem to EOF, reconnecting";
        };
    }

    /**
     * The peer every figure of this scenario is divided by: Netty's epoll transport, for start-up Twisted, and for
     * forking Python's own {@code ForkingTCPServer}.
     */
    String reference() {
        return switch (this) {
            case STARTUP -> Servers.TWISTED;
            case FORKING_WARM, FORKING_STEADY -> Servers.PYTHON_FORKING;
            default -> Servers.NETTY_EPOLL;
        };
    }

    /**
     * The latency percentile also given as a ratio to the reference, beside the figure: for the open-loop echo
     * (whose figure is p99) its p99.9, for the steady forking load (whose figure is the median) its p99; empty
     * elsewhere.
     */
    java.util.OptionalDouble tailPercentile() {
        return switch (this) {
            case ECHO_LATENCY -> java.util.OptionalDouble.of(99.9);
            case FORKING_STEADY -> java.util.OptionalDouble.of(99);
            default -> java.util.OptionalDouble.empty();
        };
    }

    /** The tail percentile's name, {@code p99.9} or {@code p99}. */
    String tailName() {
        return "p" + java.math.BigDecimal.valueOf(tailPercentile().orElseThrow()).stripTrailingZeros().toPlainString();
    }

    /** Whether each child of a forking server serves this scenario's connections. */
    boolean forking() {
        return this == FORKING_WARM || this == FORKING_STEADY;
    }

    /**
     * A second peer every figure is also divided by, where there is one: for TLS, Netty with OpenSSL (BoringSSL)
     * in place of the JDK's TLS.
     */
    java.util.Optional<String> secondReference() {
        return tls() ? java.util.Optional.of(Servers.NETTY_OPENSSL) : java.util.Optional.empty();
    }

    /** What the operations of this scenario's CPU figure are. */
    String operation() {
        return switch (this) {
            case ECHO, ECHO_LATENCY -> "echo";
            case FORKING_WARM, FORKING_STEADY -> "request";
            case POETRY -> "poem";
            case UDP -> "datagram";
            case IDLE -> "connection";
            case STREAM -> "MB";
            case STARTUP -> "start";
            case TLS_ECHO -> "echo";
            case TLS_POETRY -> "handshake";
        };
    }

    /**
     * Runs one timed load against a server on {@code target}; not for {@link #STARTUP}. {@code tls} is the client
     * context of the TLS scenarios, trusting the servers' certificate (null for the others).
     */
    Result run(Settings settings, InetSocketAddress target, MeasurementWindow window, SSLContext tls)
            throws IOException, InterruptedException {
        return switch (this) {
            case ECHO -> EchoLoad.run(target, settings.echoConnections(), settings.messageSize(), settings.threads(),
                    settings.warmup(), settings.duration(), window);
            case ECHO_LATENCY -> OpenLoopEchoLoad.run(target, settings.offeredRate(), settings.echoConnections(),
                    settings.messageSize(), settings.threads(), settings.warmup(), settings.duration(), window);
            case FORKING_WARM -> ForkingLoad.warm(target, settings.forkingRequests(), settings.forkingPause(),
                    settings.messageSize(), window);
            case FORKING_STEADY -> ForkingLoad.steady(target, settings.forkingRate(), settings.warmup(),
                    settings.forkingSteady(), settings.messageSize(), window);
            case POETRY -> PoetryLoad.run(target, settings.poetryClients(), settings.poemBytes(), settings.threads(),
                    settings.warmup(), settings.duration(), window);
            case UDP -> UdpLoad.run(target, settings.udpSenders(), settings.messageSize(), settings.threads(),
                    settings.warmup(), settings.duration(), window);
            case IDLE -> {
                window.opened();
                Result result = IdleLoad.run(target, settings.idleConnections(), settings.messageSize(), PATIENCE);
                window.closed();
                yield result;
            }
            case STREAM -> StreamLoad.run(target, settings.streamBytes(), settings.warmup(), PATIENCE, window);
            case STARTUP -> throw new IllegalStateException("the startup scenario starts servers, it loads none");
            case TLS_ECHO -> TlsEchoLoad.run(target, tls, settings.echoConnections(), settings.messageSize(),
                    settings.threads(), settings.warmup(), settings.duration(), window);
            case TLS_POETRY -> TlsPoetryLoad.run(target, tls, settings.poetryClients(), settings.poemBytes(),
                    settings.threads(), settings.warmup(), settings.duration(), window);
        };
    }

    /** A number with no trailing zeros: 1 s, 0.5 s, 20/s. */
    private static String plain(double value) {
        return java.math.BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }

    private static String bytes(long count) {
        return count % (1L << 30) == 0 ? count / (1L << 30) + " GiB" : count / (1L << 20) + " MiB";
    }
}
