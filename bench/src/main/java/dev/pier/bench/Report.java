package dev.pier.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/** Turns the samples into docs/benchmarks.md (tables) and docs/benchmarks.svg (the ratios as bars). */
final class Report {

    /**
     * One peer's figures in one scenario, over all its runs.
     *
     * @param ratio        median over rounds of this peer's figure divided by the reference's in the same round
     * @param lowestRatio  the lowest of those ratios, and {@code highestRatio} the highest: how far one round
     *                     strays from the median
     */
    record Row(Scenario scenario, String peer, double figure, double ratio, double lowestRatio, double highestRatio,
               double p50, double p99, double p999,
               long errors, double cpuMicrosPerOperation, double driverCpuMicrosPerOperation, double peakRssMiB,
               int runs, long leastServed, long attempted, double secondRatio, TailRatio tail) {
    }

    /**
     * The scenario's {@linkplain Scenario#tailPercentile() tail percentile} as a ratio to the reference's in the
     * same round: median, lowest and highest over rounds.
     */
    record TailRatio(double median, double lowest, double highest) {
        static final TailRatio NONE = new TailRatio(Double.NaN, Double.NaN, Double.NaN);
    }

    private final Settings settings;
    private final List<Scenario> scenarios;
    private final List<Sample> samples;
    private final Map<String, String> skipped;
    private final Machine machine;

    Report(Settings settings, List<Scenario> scenarios, List<Sample> samples, Map<String, String> skipped,
           Machine machine) {
        this.settings = settings;
        this.scenarios = scenarios;
        this.samples = samples;
        this.skipped = skipped;
        this.machine = machine;
    }

    void write(Path directory) throws IOException {
        Files.createDirectories(directory);
        List<Row> rows = rows();
        Files.writeString(directory.resolve("benchmarks.svg"), SvgChart.render(rows, settings));
        Files.writeString(directory.resolve("benchmarks.md"), markdown(rows));
    }

    List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        for (Scenario scenario : scenarios) {
            Set<String> peers = new LinkedHashSet<>();
            samples.stream().filter(s -> s.scenario() == scenario).forEach(s -> peers.add(s.peer()));
            for (String peer : peers) {
                rows.add(row(scenario, peer));
            }
        }
        return rows;
    }

    private Row row(Scenario scenario, String peer) {
        List<Sample> mine = samples.stream().filter(s -> s.scenario() == scenario && s.peer().equals(peer)).toList();
        List<Double> ratios = ratios(mine, scenario.reference(), Sample::figure);
        double secondRatio = scenario.secondReference()
                .map(second -> median(ratios(mine, second, Sample::figure).stream()
                        .mapToDouble(Double::doubleValue).toArray()))
                .orElse(Double.NaN);
        TailRatio tail = TailRatio.NONE;
        if (scenario.tailPercentile().isPresent()) {
            double percentile = scenario.tailPercentile().getAsDouble();
            double[] tails = ratios(mine, scenario.reference(), s -> s.result().latencyMicros(percentile)).stream()
                    .mapToDouble(Double::doubleValue).toArray();
            tail = new TailRatio(median(tails), Arrays.stream(tails).min().orElse(Double.NaN),
                    Arrays.stream(tails).max().orElse(Double.NaN));
        }
        List<Sample> good = mine.stream().filter(s -> !s.failed()).toList();
        return new Row(scenario, peer,
                median(good.stream().mapToDouble(Sample::figure).toArray()),
                median(ratios.stream().mapToDouble(Double::doubleValue).toArray()),
                ratios.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN),
                ratios.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN),
                median(good.stream().mapToDouble(s -> s.result().latencyMicros(50)).toArray()),
                median(good.stream().mapToDouble(s -> s.result().latencyMicros(99)).toArray()),
                median(good.stream().mapToDouble(s -> s.result().latencyMicros(99.9)).toArray()),
                mine.stream().mapToLong(s -> s.result().errors()).sum(),
                median(good.stream().mapToDouble(Sample::cpuMicrosPerOperation).toArray()),
                median(good.stream().mapToDouble(Sample::driverCpuMicrosPerOperation).toArray()),
                mine.stream().mapToLong(Sample::peakRssBytes).max().orElse(0) / 1048576.0,
                mine.size(),
                mine.stream().mapToLong(s -> s.result().operations()).min().orElse(0),
                mine.stream().mapToLong(s -> s.result().attempted()).max().orElse(0),
                secondRatio, tail);
    }

    /** Each of {@code mine}'s figures divided by {@code reference}'s in the same round, where both ran. */
    private List<Double> ratios(List<Sample> mine, String reference, ToDoubleFunction<Sample> figure) {
        List<Double> ratios = new ArrayList<>();
        for (Sample sample : mine) {
            samples.stream()
                    .filter(s -> s.scenario() == sample.scenario() && s.round() == sample.round()
                            && s.peer().equals(reference) && !s.failed())
                    .findFirst()
                    .filter(other -> !sample.failed())
                    .ifPresent(other -> ratios.add(figure.applyAsDouble(sample) / figure.applyAsDouble(other)));
        }
        return ratios;
    }

    /** The median of the values that are numbers; NaN if none is. */
    static double median(double[] values) {
        double[] numbers = Arrays.stream(values).filter(v -> !Double.isNaN(v)).sorted().toArray();
        if (numbers.length == 0) {
            return Double.NaN;
        }
        int middle = numbers.length / 2;
        return numbers.length % 2 == 1 ? numbers[middle] : (numbers[middle - 1] + numbers[middle]) / 2;
    }

    private String markdown(List<Row> rows) {
        StringBuilder md = new StringBuilder();
        String now = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"));
        md.append("# Pier benchmarks\n\n");
        if (settings.smoke()) {
            md.append("> **Smoke run, not a measurement.** Every scenario ran for about a second per peer, once, "
                    + "with smaller sizes, on a machine busy with other work, only to show that the instrument "
                    + "works end to end. Run `scripts/bench` on an otherwise idle machine for figures worth "
                    + "quoting.\n\n");
        }
        md.append("Generated ").append(now).append(" by `scripts/bench").append(settings.smoke() ? " --smoke" : "")
                .append("`.\n\n");
        md.append("**Machine:** ").append(machine.cores()).append(" cores, ").append(machine.cpuModel())
                .append("; Linux ").append(machine.kernel()).append("; JDK ").append(machine.jdk())
                .append("; gcc ").append(machine.gcc()).append("; Python ").append(machine.python())
                .append(", Twisted ").append(machine.twisted()).append("; Netty ").append(machine.netty())
                .append(".\n\n");
        md.append("""
                **Method:** every server is a separate process on 127.0.0.1; the load driver is Java NIO with %d \
                selector loop(s), on the same machine. Timed scenarios warm up for %s, then measure for %s; the stream \
                warms up for as long, then times its bytes. Peers \
                take turns run by run (A B C … A B C …), %d run(s) each (idle: %d; echo latency: %d; forking: %d; \
                startup: %d starts each). A \
                figure is the median of a peer's runs; a ratio is the median, over rounds, of the peer's figure \
                divided by the reference's in the same round (`%s`; for start-up `%s`, the poetry tutorial's own \
                server; for forking `%s`); latency percentiles are medians over runs. Server CPU is user \
                + system time (children included) from /proc/PID/stat over the measured window, per operation; peak \
                RSS is VmHWM from /proc/PID/status; driver CPU is the driver JVM's own CPU time over the same \
                window. `c-epoll`, a C server with no framework, shows the ceiling the driver reaches here: where it \
                is well past the Java servers, the driver was not what limited them. The `pier-cli-*` peers are \
                Pier's commands started through the launcher as users start them, default logging included; the \
                launcher ends in `exec java`, so the process measured is the JVM. The echo latency scenario is open \
                loop: one rate for every peer, latency from each message's scheduled send time.

                """.formatted(settings.threads(), seconds(settings.warmup()), seconds(settings.duration()),
                settings.runs(), settings.idleRuns(), settings.latencyRuns(), settings.forkingRuns(), settings.starts(),
                Servers.NETTY_EPOLL, Servers.TWISTED, Servers.PYTHON_FORKING));
        md.append("**Peers** (each a separate process; Java ones run with `")
                .append(String.join(" ", Tools.JVM_FLAGS))
                .append("`, Pier's also with the options its launcher uses, `app/jvm.options`):\n\n");
        for (Servers.Server server : Servers.all()) {
            md.append("- `").append(server.name()).append("`: ").append(server.description()).append('\n');
        }
        md.append("\n![Each peer's figure as a ratio to its scenario's reference](benchmarks.svg)\n\n");
        targets(md, rows);
        for (Scenario scenario : scenarios) {
            List<Row> mine = rows.stream().filter(r -> r.scenario() == scenario).toList();
            md.append("## ").append(scenario.title(settings)).append("\n\n");
            if (mine.isEmpty()) {
                md.append("No peer ran.\n\n");
                continue;
            }
            md.append(scenario.higherIsBetter ? "Higher" : "Lower").append(" is better.");
            if (scenario == Scenario.IDLE) {
                md.append(" Latency is from sending all the echoes to each reply, so p99.9 is about the time to serve"
                        + " them all.");
            }
            if (scenario.tls()) {
                md.append(" The driver is the JDK's `SSLEngine` (TLS 1.3, the JDK's default cipher suites and groups),"
                        + " trusting the peers' one self-signed EC P-256 certificate; `netty-epoll` here runs its "
                        + "`SslHandler` on the JDK's TLS, `netty-openssl` on BoringSSL.");
                if (scenario == Scenario.TLS_POETRY) {
                    md.append(" Each connection makes a full handshake (no resumption) and reads the poem to its "
                            + "end: a handshake is a poem. The driver makes the client's side of each handshake on "
                            + "the same two cores: where its CPU per handshake is above the server's, it is what "
                            + "bounds that peer's figure.");
                }
            }
            if (scenario == Scenario.ECHO_LATENCY) {
                md.append(" Open loop, as wrk2 measures: every peer is offered the same rate, ")
                        .append(Math.round(settings.offeredShare() * 100)).append("% of `")
                        .append(Servers.NETTY_EPOLL).append("`'s peak echo rate in this run (its median in the echo "
                                + "scenario, or a closed-loop run just before). Messages leave on a fixed schedule "
                                + "whatever the replies do, round-robin over the connections, and each latency runs "
                                + "from the message's *scheduled* send time to the last byte of its echo, so a "
                                + "stalled server is charged for every message that should have left meanwhile "
                                + "(no coordinated omission). The figure is the p99; the p99.9 is also given as a "
                                + "ratio. Every server had one unmeasured closed-loop echo run first. Errors are "
                                + "messages scheduled in the window with no echo ")
                        .append(OpenLoopEchoLoad.DRAIN.toMillis()).append(" ms after it (counted in the "
                                + "percentiles as at least that late: a peer with such errors could not sustain the "
                                + "rate) or lost with a connection the server reset.");
            }
            if (scenario.forking()) {
                md.append(" Each request is a new connection served by a process of its own: Python's `fork()`, "
                        + "Pier's a child JVM (some kept started and waiting). A client connects, sends a ")
                        .append(settings.messageSize()).append("-byte message and times the first byte of its echo");
                md.append(scenario == Scenario.FORKING_WARM
                        ? ", one request at a time, each after a pause long enough for the server to have a child "
                                + "ready; the figure is the median."
                        : ", at a steady rate whatever the replies do, each timed from its scheduled start (no "
                                + "coordinated omission); the figure is the median, and the p99 is also given as a "
                                + "ratio. A request with no first byte within ")
                        .append(ForkingLoad.REQUEST_TIMEOUT.toSeconds()).append(" s is an error, and counts in the "
                                + "percentiles as at least that late.");
                md.append(" The reference is Python's `socketserver.ForkingTCPServer`.");
            }
            if (scenario == Scenario.UDP) {
                md.append(" Errors are datagrams with no reply within ").append(UdpLoad.LOSS_TIMEOUT.toMillis())
                        .append(" ms.");
            }
            md.append("\n\n");
            boolean latency = scenario != Scenario.STREAM && scenario != Scenario.STARTUP;
            boolean idle = scenario == Scenario.IDLE;
            String perOperation = " µs/" + scenario.operation();
            List<String> header = new ArrayList<>(List.of("Peer", scenario.unit, "× " + scenario.reference()));
            scenario.secondReference().ifPresent(second -> header.add("× " + second));
            boolean tail = scenario.tailPercentile().isPresent();
            if (tail) {
                header.add(scenario.tailName() + " × " + scenario.reference());
            }
            // The forking scenarios' latencies are a process start or more: milliseconds say them better.
            double latencyUnit = scenario.forking() ? 1000 : 1;
            if (latency) {
                String unit = scenario.forking() ? " ms" : " µs";
                header.addAll(List.of("p50" + unit, "p99" + unit, "p99.9" + unit));
            }
            header.add(idle ? "Served (worst run)" : "Errors");
            header.add("Server CPU" + perOperation);
            if (!idle) {
                header.add("Server peak RSS MiB");
            }
            boolean driver = scenario != Scenario.STARTUP;
            if (driver) {
                header.add("Driver CPU" + perOperation);
            }
            header.add(scenario == Scenario.STARTUP ? "Starts" : "Runs");
            List<List<String>> cells = new ArrayList<>();
            for (Row row : mine) {
                List<String> line = new ArrayList<>(List.of(row.peer(), number(row.figure()), ratio(row.ratio())));
                if (scenario.secondReference().isPresent()) {
                    line.add(ratio(row.secondRatio()));
                }
                if (tail) {
                    line.add(ratio(row.tail().median()));
                }
                if (latency) {
                    line.addAll(List.of(number(row.p50() / latencyUnit), number(row.p99() / latencyUnit),
                            number(row.p999() / latencyUnit)));
                }
                line.add(idle ? row.leastServed() + "/" + row.attempted() : Long.toString(row.errors()));
                line.add(number(row.cpuMicrosPerOperation()));
                if (!idle) {
                    line.add(number(row.peakRssMiB()));
                }
                if (driver) {
                    line.add(number(row.driverCpuMicrosPerOperation()));
                }
                line.add(Integer.toString(row.runs()));
                cells.add(line);
            }
            table(md, header, cells);
            md.append('\n');
        }
        if (!skipped.isEmpty()) {
            md.append("## Not measured\n\n");
            skipped.forEach((what, why) -> md.append("- `").append(what).append("`: ").append(why).append('\n'));
            md.append('\n');
        }
        return md.toString();
    }

    /** The figures Pier must reach, met or not in this run, and what explains each one missed. */
    private void targets(StringBuilder md, List<Row> rows) {
        List<List<String>> cells = new ArrayList<>();
        List<Targets.Target> missed = new ArrayList<>();
        boolean secondReferences = scenarios.stream().anyMatch(scenario -> scenario.secondReference().isPresent());
        for (Targets.Target target : Targets.ALL) {
            if (!scenarios.contains(target.scenario())) {
                continue;
            }
            Optional<Row> row = Targets.rowFor(target, rows);
            boolean met = row.map(target::metBy).orElse(false);
            if (!met) {
                missed.add(target);
            }
            List<String> cell = new ArrayList<>(List.of(target.scenario().id(), target.peer(), target.describe(),
                    row.map(r -> measuredAgainst(target, target.ratio(r))).orElse("not run"),
                    row.map(r -> ratio(target.lowest(r)) + "–" + ratio(target.highest(r))).orElse("–"),
                    met ? "met" : "**not met**"));
            if (secondReferences) {
                cell.add(target.scenario().secondReference()
                        .map(second -> row.map(r -> ratio(r.secondRatio()) + " × " + second).orElse("not run"))
                        .orElse("–"));
            }
            cells.add(cell);
        }
        if (cells.isEmpty()) {
            return;
        }
        md.append("## Targets\n\n");
        List<String> header = new ArrayList<>(
                List.of("Scenario", "Peer", "Target", "Measured", "Rounds' range", "Result"));
        if (secondReferences) {
            header.add("Beside");
        }
        table(md, header, cells);
        md.append("\nMeasured is the median over rounds of the ratio in each round; the range is the lowest and "
                + "highest of those ratios, the spread a single round shows on this machine.");
        if (secondReferences) {
            md.append(" Beside is the same median against the scenario's second reference, where it has one: "
                    + "for TLS, Netty on OpenSSL rather than on the JDK's TLS.");
        }
        md.append('\n');
        for (Targets.Target target : missed) {
            md.append("\n**").append(target.scenario().id()).append(", ").append(target.peer())
                    .append(target.tail() ? " (" + target.scenario().tailName() + ")" : "").append(":** ");
            Targets.rowFor(target, rows).filter(target::boundWithinRounds).ifPresent(row -> md.append(
                    ("*Within this run's spread: its rounds ranged from %s to %s, on both sides of the bound, so "
                            + "this run cannot tell the figure from its target; more runs (`--runs 9`) steady the "
                            + "median.* ").formatted(ratio(target.lowest(row)), ratio(target.highest(row)))));
            md.append(target.whenMissed()).append('\n');
        }
        md.append('\n');
    }

    /** A ratio next to its target's bound, with the third decimal where two would round it onto the bound. */
    private static String measuredAgainst(Targets.Target target, double value) {
        String twoDecimals = ratio(value);
        return twoDecimals.equals(ratio(target.bound())) && value != target.bound() ? format("%.3f", value)
                : twoDecimals;
    }

    /** A Markdown table: the first column left-aligned, the figures right-aligned. */
    private static void table(StringBuilder md, List<String> header, List<List<String>> rows) {
        md.append("| ").append(String.join(" | ", header)).append(" |\n|---|")
                .append("---:|".repeat(header.size() - 1)).append('\n');
        for (List<String> row : rows) {
            md.append("| ").append(String.join(" | ", row)).append(" |\n");
        }
    }

    private static String seconds(java.time.Duration duration) {
        return format("%.1f s", duration.toMillis() / 1000.0);
    }

    /** Three significant figures, or a dash for no value. */
    static String number(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return "–";
        }
        double magnitude = Math.abs(value);
        if (magnitude >= 1000) {
            return format("%,.0f", value);
        }
        if (magnitude >= 100) {
            return format("%.0f", value);
        }
        return magnitude >= 10 ? format("%.1f", value) : format("%.2f", value);
    }

    /** A ratio with two decimals, or two significant digits when it is small. */
    static String ratio(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return "–";
        }
        return value >= 0.1 ? format("%.2f", value) : format("%.2g", value);
    }

    private static String format(String pattern, Object... values) {
        return String.format(Locale.ROOT, pattern, values);
    }
}
