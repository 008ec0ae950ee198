package dev.pier.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;
import javax.net.ssl.SSLContext;

/** The scenarios the instrument runs, each against one service of the peers. */
enum Scenario {
    ECHO(Service.ECHO, "echoes/s", true),
    POETRY(Service.POETRY, "poems/s", true),
    UDP(Service.UDP, "datagrams/s", true),
    IDLE(Service.ECHO, "MiB peak RSS", false),
    STREAM(Service.ECHO, "MB/s", true),
    STARTUP(Service.POETRY, "ms to ready", false),
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
        throw new IllegalArgumentException("unknown scenario '" + id + "': use one of echo, poetry, udp, idle, "
                + "stream, startup, tls-echo, tls-poetry");
    }

    String title(Settings settings) {
        return switch (this) {
            case ECHO -> "Echo ping-pong: " + settings.messageSize() + "-byte messages, "
                    + settings.echoConnections() + " connections";
            case POETRY -> "Fast poetry: " + settings.poetryClients() + " clients connecting, reading a "
                    + settings.poemBytes() + "-byte poem to EOF, reconnecting";
            case UDP -> "UDP echo: " + settings.messageSize() + "-byte datagrams, " + settings.udpSenders()
                    + " senders";
            case IDLE -> settings.idleConnections() + " idle connections held open, then each echoes once";
            case STREAM -> "One connection streaming " + bytes(settings.streamBytes()) + " through an echo";
            case STARTUP -> "Process start to ready line (fast poetry server)";
            case TLS_ECHO -> "TLS echo ping-pong: " + settings.messageSize() + "-byte messages, "
                    + settings.echoConnections() + " connections, handshakes done before measuring";
            case TLS_POETRY -> "TLS handshakes: " + settings.poetryClients() + " clients connecting, a full TLS 1.3 "
                    + "handshake, reading a " + settings.poemBytes() + "-byte poem to EOF, reconnecting";
        };
    }

    /** The peer every figure of this scenario is divided by: Netty's epoll transport, or for start-up Twisted. */
    String reference() {
        return this == STARTUP ? Servers.TWISTED : Servers.NETTY_EPOLL;
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
            case ECHO -> "echo";
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

    private static String bytes(long count) {
        return count % (1L << 30) == 0 ? count / (1L << 30) + " GiB" : count / (1L << 20) + " MiB";
    }
}
