package dev.pier.bench;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The load driver on its own, against any server already listening:
 *
 * <pre>{@code
 * Driver echo|poetry|udp|idle|stream|tls-echo|tls-poetry --port PORT [--host HOST] [--connections N]
 *        [--threads N] [--warmup SECONDS] [--duration SECONDS] [--size BYTES] [--bytes BYTES] [--poem-bytes BYTES]
 *        [--cert CERT.pem]
 * Driver echo-latency --rate PER_SECOND --port PORT [...]
 * Driver forking-warm|forking-steady --port PORT [--requests N] [--rate PER_SECOND] [--duration SECONDS]
 * Driver startup [--starts N] [--ready REGEX] -- COMMAND...
 * }</pre>
 *
 * <p>{@code --connections} is the number of connections, clients or senders of the scenario; {@code --poem-bytes}
 * is the poem size to expect (0 accepts any); {@code --cert} is the certificate the TLS scenarios trust (the server's
 * own, self-signed); {@code --rate} is the open-loop rate of {@code echo-latency} (echoes per second in all) and of
 * {@code forking-steady} (connections per second); {@code --requests} is how many one-at-a-time requests
 * {@code forking-warm} sends. The result is printed as one line of {@code key=value} pairs.
 */
public final class Driver {

    private Driver() {
    }

    public static void main(String[] args) throws Exception {
        try {
            drive(args);
        } catch (IllegalArgumentException e) {
            usage(e.getMessage());
        }
    }

    private static void drive(String[] args) throws Exception {
        if (args.length == 0) {
            usage("name a scenario");
        }
        Scenario scenario = Scenario.byId(args[0]);
        Settings defaults = Settings.defaults();
        String host = "127.0.0.1";
        int port = -1;
        Integer connections = null;
        int threads = defaults.threads();
        double warmup = defaults.warmup().toMillis() / 1000.0;
        double duration = defaults.duration().toMillis() / 1000.0;
        int size = defaults.messageSize();
        long bytes = defaults.streamBytes();
        long poemBytes = 0;
        int starts = defaults.starts();
        Pattern ready = ServerProcess.READY;
        Path certificate = null;
        double rate = 0;
        int requests = defaults.forkingRequests();
        List<String> command = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("--")) {
                command.addAll(List.of(args).subList(i + 1, args.length));
                break;
            }
            if (i + 1 >= args.length) {
                usage(args[i] + " needs a value");
            }
            String value = args[++i];
            switch (args[i - 1]) {
                case "--host" -> host = value;
                case "--port" -> port = Integer.parseInt(value);
                case "--connections" -> connections = Integer.parseInt(value);
                case "--threads" -> threads = Integer.parseInt(value);
                case "--warmup" -> warmup = Double.parseDouble(value);
                case "--duration" -> duration = Double.parseDouble(value);
                case "--size" -> size = Integer.parseInt(value);
                case "--bytes" -> bytes = Long.parseLong(value);
                case "--poem-bytes" -> poemBytes = Long.parseLong(value);
                case "--starts" -> starts = Integer.parseInt(value);
                case "--ready" -> ready = Pattern.compile(value);
                case "--cert" -> certificate = Path.of(value);
                case "--rate" -> rate = Double.parseDouble(value);
                case "--requests" -> requests = Integer.parseInt(value);
                default -> usage("unknown option " + args[i - 1]);
            }
        }
        if (scenario == Scenario.STARTUP) {
            if (command.isEmpty()) {
                usage("startup needs the server's command after --");
            }
            Path log = Path.of(System.getProperty("java.io.tmpdir"), "pier-bench-startup.log");
            Result result = StartupTimer.run(command, ready, log, starts);
            System.out.printf("scenario=startup median_ms=%.1f starts=%d errors=%d%n",
                    result.latencyMicros(50) / 1000, result.operations(), result.errors());
            return;
        }
        if (port < 0) {
            usage("--port is required");
        }
        if (scenario == Scenario.ECHO_LATENCY && rate <= 0) {
            usage("echo-latency needs --rate PER_SECOND, the echoes per second to offer in all");
        }
        if (scenario.tls() && certificate == null) {
            usage(scenario.id() + " needs --cert CERT.pem, the certificate the server presents");
        }
        var tls = scenario.tls() ? TlsChannel.trusting(TlsChannel.certificate(certificate)) : null;
        InetSocketAddress target = new InetSocketAddress(host, port);
        Duration warm = Duration.ofMillis(Math.round(warmup * 1000));
        Duration measured = Duration.ofMillis(Math.round(duration * 1000));
        Result result = switch (scenario) {
            case ECHO -> EchoLoad.run(target, or(connections, defaults.echoConnections()), size, threads, warm,
                    measured, MeasurementWindow.NONE);
            case ECHO_LATENCY -> OpenLoopEchoLoad.run(target, rate, or(connections, defaults.echoConnections()), size,
                    threads, warm, measured, MeasurementWindow.NONE);
            case FORKING_WARM -> ForkingLoad.warm(target, requests, defaults.forkingPause(), size,
                    MeasurementWindow.NONE);
            case FORKING_STEADY -> ForkingLoad.steady(target, rate > 0 ? rate : defaults.forkingRate(), warm,
                    measured, size, MeasurementWindow.NONE);
            case POETRY -> PoetryLoad.run(target, or(connections, defaults.poetryClients()), poemBytes, threads, warm,
                    measured, MeasurementWindow.NONE);
            case UDP -> UdpLoad.run(target, or(connections, defaults.udpSenders()), size, threads, warm, measured,
                    MeasurementWindow.NONE);
            case IDLE -> IdleLoad.run(target, or(connections, defaults.idleConnections()), size, Scenario.PATIENCE);
            case STREAM -> StreamLoad.run(target, bytes, warm, Scenario.PATIENCE, MeasurementWindow.NONE);
            case STARTUP -> throw new AssertionError("handled above");
            case TLS_ECHO -> TlsEchoLoad.run(target, tls, or(connections, defaults.echoConnections()), size, threads,
                    warm, measured, MeasurementWindow.NONE);
            case TLS_POETRY -> TlsPoetryLoad.run(target, tls, or(connections, defaults.poetryClients()), poemBytes,
                    threads, warm, measured, MeasurementWindow.NONE);
        };
        System.out.println("scenario=" + scenario.id() + " " + result.summary()
                + (scenario == Scenario.IDLE ? " served=" + result.operations() + "/" + result.attempted() : "")
                + (scenario == Scenario.STREAM
                        ? String.format(" MB/s=%.1f", result.operations() / result.seconds() / 1e6) : "")
                + (Double.isNaN(result.driverAllocationPerOperation()) ? ""
                        : String.format(" driver_alloc_bytes_per_op=%.2f", result.driverAllocationPerOperation())));
    }

    private static int or(Integer value, int fallback) {
        return value == null ? fallback : value;
    }

    private static void usage(String problem) {
        System.err.println("pier bench driver: " + problem + "\nusage: Driver echo|poetry|udp|idle|stream|tls-echo|tls-poetry "
                + "--port PORT [--host HOST] [--connections N] [--threads N] [--warmup S] [--duration S] [--size B] "
                + "[--bytes N] [--poem-bytes N] [--cert CERT.pem]\n       Driver echo-latency --rate PER_SECOND "
                + "--port PORT [...]\n       Driver forking-warm|forking-steady --port PORT [--requests N] "
                + "[--rate PER_SECOND] [--duration S]\n       Driver startup [--starts N] [--ready REGEX] -- COMMAND...");
        System.exit(2);
    }
}
