package dev.pier.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * The runner behind {@code scripts/bench}: runs the scenarios against every available peer, alternating peers
 * run by run, and writes the report.
 *
 * <pre>{@code Bench --c-server PATH --python PATH --python-peers PATH [--project DIR] [--out DIR] [--smoke] [--runs N]
 *       [--warmup SECONDS] [--duration SECONDS] [--threads N] [--idle-runs N] [--latency-runs N] [--forking-runs N]
 *       [--peers a,b,...] [SCENARIO...]}</pre>
 */
public final class Bench {

    /** How many warm-up periods each server of a TLS scenario gets before the first round. */
    private static final int TLS_WARMUP_FACTOR = 3;

    /** The run's settings; the latency scenario adds the rate it offers once it has measured Netty's peak. */
    private Settings settings;
    private final Tools tools;
    private final List<Sample> samples = new ArrayList<>();
    private final Map<String, String> skipped = new LinkedHashMap<>();
    /** The driver's TLS client context, trusting the certificate every TLS peer presents; null without TLS. */
    private SSLContext tls;

    private Bench(Settings settings, Tools tools) {
        this.settings = settings;
        this.tools = tools;
    }

    public static void main(String[] args) throws Exception {
        try {
            runAll(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.exit(2);
        }
    }

    private static void runAll(String[] args) throws IOException, InterruptedException {
        Settings settings = Settings.defaults();
        Path cServer = null;
        Path python = Path.of("/usr/bin/python3");
        Path pythonPeers = null;
        Path out = Path.of("docs");
        Path project = Path.of(".");
        Path work = Path.of("bench/target");
        List<String> peerNames = null;
        List<Scenario> scenarios = new ArrayList<>();
        Double warmup = null;
        Double duration = null;
        Integer runs = null;
        Integer threads = null;
        Integer idleRuns = null;
        Integer latencyRuns = null;
        Integer forkingRuns = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--smoke" -> settings = Settings.smokeDefaults();
                case "--runs" -> runs = Integer.parseInt(value(args, ++i));
                case "--warmup" -> warmup = Double.parseDouble(value(args, ++i));
                case "--duration" -> duration = Double.parseDouble(value(args, ++i));
                case "--threads" -> threads = Integer.parseInt(value(args, ++i));
                case "--idle-runs" -> idleRuns = Integer.parseInt(value(args, ++i));
                case "--latency-runs" -> latencyRuns = Integer.parseInt(value(args, ++i));
                case "--forking-runs" -> forkingRuns = Integer.parseInt(value(args, ++i));
                case "--peers" -> peerNames = Arrays.asList(value(args, ++i).split(","));
                case "--c-server" -> cServer = Path.of(value(args, ++i));
                case "--python" -> python = Path.of(value(args, ++i));
                case "--python-peers" -> pythonPeers = Path.of(value(args, ++i));
                case "--out" -> out = Path.of(value(args, ++i));
                case "--project" -> project = Path.of(value(args, ++i));
                case "--work" -> work = Path.of(value(args, ++i));
                default -> {
                    if (args[i].startsWith("-")) {
                        throw new IllegalArgumentException("unknown option " + args[i] + ": see scripts/bench");
                    }
                    scenarios.add(Scenario.byId(args[i]));
                }
            }
        }
        if (cServer == null || pythonPeers == null) {
            throw new IllegalArgumentException(
                    "--c-server and --python-peers are required (scripts/bench passes them)");
        }
        if (runs != null) {
            settings = settings.withRuns(runs);
        }
        if (warmup != null || duration != null) {
            settings = settings.withTiming(warmup == null ? settings.warmup() : seconds(warmup),
                    duration == null ? settings.duration() : seconds(duration));
        }
        if (threads != null) {
            settings = settings.withThreads(threads);
        }
        if (idleRuns != null) {
            settings = settings.withIdleRuns(idleRuns);
        }
        if (latencyRuns != null) {
            settings = settings.withLatencyRuns(latencyRuns);
        }
        if (forkingRuns != null) {
            settings = settings.withForkingRuns(forkingRuns);
        }
        if (scenarios.isEmpty()) {
            scenarios.addAll(List.of(Scenario.values()));
        }
        Path poem = writePoem(work.resolve("poem.txt"), settings.poemBytes());
        Tools tools = Tools.ofThisJvm(cServer, python, pythonPeers, poem, work.resolve("bench-logs"),
                project.toAbsolutePath(), work.resolve("tls").toAbsolutePath());
        Bench bench = new Bench(settings, tools);
        if (scenarios.stream().anyMatch(Scenario::tls)) {
            bench.tls = TlsChannel.trusting(TlsChannel.certificate(selfSigned(tools)));
        }
        long started = System.nanoTime();
        List<Servers.Server> servers = bench.availableServers(peerNames);
        for (Scenario scenario : scenarios) {
            bench.run(scenario, servers);
        }
        Report report = new Report(bench.settings, scenarios, bench.samples, bench.skipped, Machine.describe(tools));
        report.write(out);
        System.out.printf("wrote %s and %s; the scenarios took %.1f minutes%n", out.resolve("benchmarks.md"),
                out.resolve("benchmarks.svg"), (System.nanoTime() - started) / 60e9);
    }

    /**
     * Makes the TLS peers' private key and certificate (EC P-256) as a user does, with {@code pier tls self-signed},
     * replacing those of an earlier run: the certificate's path.
     */
    private static Path selfSigned(Tools tools) throws IOException, InterruptedException {
        Files.deleteIfExists(tools.tlsKey());
        Files.deleteIfExists(tools.tlsCertificate());
        Path directory = tools.tlsKey().getParent();
        Files.createDirectories(directory);
        Process process = new ProcessBuilder(tools.launcher().toString(), "tls", "self-signed", "--out",
                directory.toString())
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (process.waitFor() != 0 || !Files.isRegularFile(tools.tlsCertificate())) {
            throw new IOException("`pier tls self-signed --out " + directory + "` failed: " + output);
        }
        return tools.tlsCertificate();
    }

    private static String value(String[] args, int index) {
        if (index >= args.length) {
            throw new IllegalArgumentException(args[index - 1] + " needs a value");
        }
        return args[index];
    }

    private static Duration seconds(double value) {
        return Duration.ofMillis(Math.round(value * 1000));
    }

    /** A poem of the given size: lines of verse-like text; its content does not matter to the servers. */
    private static Path writePoem(Path file, int size) throws IOException {
        StringBuilder poem = new StringBuilder(size);
        String line = "The quick brown fox sings of the pier at night, and the waves answer in kind.\n";
        while (poem.length() < size) {
            poem.append(line, 0, Math.min(line.length(), size - poem.length()));
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, poem, StandardCharsets.US_ASCII);
        return file;
    }

    private List<Servers.Server> availableServers(List<String> names) {
        List<Servers.Server> available = new ArrayList<>();
        for (Servers.Server server : Servers.all()) {
            boolean reference = List.of(Servers.NETTY_EPOLL, Servers.TWISTED, Servers.NETTY_OPENSSL,
                    Servers.PYTHON_FORKING).contains(server.name());
            if (names != null && !names.contains(server.name()) && !reference) {
                continue;
            }
            Optional<String> why = server.unavailable().apply(tools);
            if (why.isPresent()) {
                skip(server.name(), why.get());
            } else {
                available.add(server);
            }
        }
        return available;
    }

    private void skip(String what, String why) {
        skipped.put(what, why);
        System.err.println("SKIPPED " + what + ": " + why);
    }

    private void run(Scenario scenario, List<Servers.Server> servers) throws InterruptedException {
        System.out.println("== " + scenario.id() + ": " + scenario.title(settings));
        if (scenario == Scenario.STARTUP) {
            runStartups(servers);
            return;
        }
        Map<Servers.Server, ServerProcess> running = new LinkedHashMap<>();
        try {
            for (Servers.Server server : taking(scenario, servers)) {
                try {
                    running.put(server, start(server, scenario.service));
                } catch (IOException e) {
                    skip(server.name() + " (" + scenario.id() + ")", e.getMessage());
                }
            }
            if (scenario.tls()) {
                warmUpServers(scenario, running.values(), TLS_WARMUP_FACTOR);
            } else if (scenario == Scenario.ECHO_LATENCY) {
                warmUpServers(Scenario.ECHO, running.values(), 1);
                if (!offerShareOfNettysPeak(running)) {
                    return;
                }
            } else if (scenario.forking()) {
                warmUpForking(running.values());
            } else {
                warmUpDriver(scenario, running.values());
            }
            int runs = switch (scenario) {
                case IDLE -> settings.idleRuns();
                case ECHO_LATENCY -> settings.latencyRuns();
                case FORKING_WARM, FORKING_STEADY -> settings.forkingRuns();
                default -> settings.runs();
            };
            for (int round = 1; round <= runs; round++) {
                for (var entry : running.entrySet()) {
                    samples.add(measure(scenario, entry.getKey().name(), round, entry.getValue()));
                }
            }
        } finally {
            running.values().forEach(ServerProcess::close);
        }
    }

    /**
     * Sets the rate the latency scenario offers every peer: its share of {@code netty-epoll}'s peak echo rate, taken
     * from this run's echo scenario if it ran, else measured now with one closed-loop echo run (which also warms the
     * driver up). False, with the scenario skipped, if Netty is not running.
     */
    private boolean offerShareOfNettysPeak(Map<Servers.Server, ServerProcess> running) throws InterruptedException {
        double[] echoed = samples.stream()
                .filter(s -> s.scenario() == Scenario.ECHO && s.peer().equals(Servers.NETTY_EPOLL) && !s.failed())
                .mapToDouble(Sample::figure).toArray();
        double peak = Report.median(echoed);
        String source = "this run's echo scenario";
        if (Double.isNaN(peak)) {
            var netty = running.entrySet().stream().filter(e -> e.getKey().name().equals(Servers.NETTY_EPOLL))
                    .map(Map.Entry::getValue).findFirst();
            if (netty.isEmpty()) {
                skip(Scenario.ECHO_LATENCY.id(), Servers.NETTY_EPOLL + ", whose peak echo rate sets the rate "
                        + "offered, did not run");
                return false;
            }
            try {
                peak = Scenario.ECHO.run(settings, new InetSocketAddress("127.0.0.1", netty.get().port()),
                        MeasurementWindow.NONE, tls).perSecond();
                source = "a closed-loop echo run just now";
            } catch (IOException e) {
                skip(Scenario.ECHO_LATENCY.id(), "could not measure " + Servers.NETTY_EPOLL + "'s peak echo rate: "
                        + e.getMessage());
                return false;
            }
        }
        if (!(peak > 0)) {
            skip(Scenario.ECHO_LATENCY.id(), Servers.NETTY_EPOLL + " echoed nothing, so there is no rate to offer");
            return false;
        }
        settings = settings.withOfferedRate(peak * settings.offeredShare());
        System.out.printf("%s peak: %.0f echoes/s (from %s); offering %.0f/s%n", Servers.NETTY_EPOLL, peak, source,
                settings.offeredRate());
        return true;
    }

    /**
     * Runs the scenario once, unmeasured, against the first server, so that the first peer of the first round does
     * not meet a driver that is still compiling.
     */
    private void warmUpDriver(Scenario scenario, java.util.Collection<ServerProcess> servers)
            throws InterruptedException {
        if (servers.isEmpty() || !EnumSet.of(Scenario.ECHO, Scenario.POETRY, Scenario.UDP, Scenario.TLS_ECHO, Scenario.TLS_POETRY)
                .contains(scenario)) {
            return;
        }
        try {
            scenario.run(settings.withTiming(settings.warmup(), Duration.ZERO),
                    new InetSocketAddress("127.0.0.1", servers.iterator().next().port()), MeasurementWindow.NONE, tls);
        } catch (IOException e) {
            System.err.println("driver warm-up failed (the runs will tell more): " + e.getMessage());
        }
    }

    /**
     * Runs {@code scenario} once, unmeasured, for {@code factor} warm-up periods against every server. A TLS stack
     * is far more code for the JIT to compile than a plain echo (the JDK's handshake especially), and without this
     * the first round would measure the compiler, server and driver alike. The open-loop echo needs it too: a
     * server still compiling falls behind the fixed schedule, and the backlog it builds during one run's warm-up
     * would still be there in the measured window.
     */
    private void warmUpServers(Scenario scenario, java.util.Collection<ServerProcess> servers, int factor)
            throws InterruptedException {
        Duration warmup = settings.warmup().multipliedBy(factor);
        for (ServerProcess server : servers) {
            try {
                scenario.run(settings.withTiming(warmup, Duration.ZERO),
                        new InetSocketAddress("127.0.0.1", server.port()), MeasurementWindow.NONE, tls);
            } catch (IOException e) {
                System.err.println("warm-up failed (the runs will tell more): " + e.getMessage());
            }
        }
    }

    /**
     * Sends each forking server one unmeasured request after a pause: a server that keeps children warm starts them
     * as it starts, and a JVM child may need longer than one pause to be ready the first time.
     */
    private void warmUpForking(java.util.Collection<ServerProcess> servers) {
        for (ServerProcess server : servers) {
            Result result = ForkingLoad.warm(new InetSocketAddress("127.0.0.1", server.port()), 1,
                    settings.forkingPause(), settings.messageSize(), MeasurementWindow.NONE);
            if (result.errors() > 0) {
                System.err.println("forking warm-up request failed (the runs will tell more)");
            }
        }
    }

    private static List<Servers.Server> taking(Scenario scenario, List<Servers.Server> servers) {
        return servers.stream().filter(server -> server.scenarios().contains(scenario)).toList();
    }

    private ServerProcess start(Servers.Server server, Service service) throws IOException {
        return ServerProcess.start(server.command().apply(tools, service), server.ready(),
                tools.logs().resolve(server.name() + "-" + service.argument() + ".log"));
    }

    private Sample measure(Scenario scenario, String peer, int round, ServerProcess server)
            throws InterruptedException {
        double[] cpu = new double[4];
        MeasurementWindow window = new MeasurementWindow() {
            @Override
            public void opened() {
                cpu[0] = server.cpuSeconds();
                cpu[2] = driverCpuSeconds();
            }

            @Override
            public void closed() {
                cpu[1] = server.cpuSeconds();
                cpu[3] = driverCpuSeconds();
            }
        };
        Result result;
        try {
            result = scenario.run(settings, new InetSocketAddress("127.0.0.1", server.port()), window, tls);
        } catch (IOException e) {
            System.err.println("FAILED " + scenario.id() + " against " + peer + ": " + e.getMessage());
            result = new Result(0, 0, Result.newHistogram(), 1, 0);
        }
        Sample sample = new Sample(scenario, peer, round, result, cpu[1] - cpu[0], cpu[3] - cpu[2],
                server.peakRssBytes());
        print(sample);
        return sample;
    }

    private void runStartups(List<Servers.Server> servers) {
        for (int round = 1; round <= settings.starts(); round++) {
            for (Servers.Server server : taking(Scenario.STARTUP, servers)) {
                if (skipped.containsKey(server.name() + " (startup)")) {
                    continue;
                }
                try (ServerProcess process = start(server, Scenario.STARTUP.service)) {
                    var latency = Result.newHistogram();
                    latency.recordValue(process.readyAfterNanos());
                    Result result = new Result(1, process.readyAfterNanos() / 1e9, latency, 0, 1);
                    Sample sample = new Sample(Scenario.STARTUP, server.name(), round, result, process.cpuSeconds(),
                            Double.NaN, process.peakRssBytes());
                    samples.add(sample);
                    print(sample);
                } catch (IOException e) {
                    skip(server.name() + " (startup)", e.getMessage());
                }
            }
        }
    }

    /** The CPU time of this JVM, which during a run is the driver's. */
    private static double driverCpuSeconds() {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        return os.getProcessCpuTime() / 1e9;
    }

    private static void print(Sample sample) {
        System.out.printf("%-8s %-20s run %d: %10.1f %-12s %s serverCpu=%.2fs driverCpu=%.2fs peakRss=%.1fMiB"
                        + " driverAllocatedPerOp=%.1fB%n",
                sample.scenario().id(), sample.peer(), sample.round(), sample.figure(), sample.scenario().unit,
                sample.result().summary(), sample.cpuSeconds(), sample.driverCpuSeconds(),
                sample.peakRssBytes() / 1048576.0, sample.result().driverAllocationPerOperation());
    }
}
