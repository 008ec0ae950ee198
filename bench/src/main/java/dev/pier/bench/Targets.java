package dev.pier.bench;

import java.util.List;
import java.util.Optional;

/**
 * The figures Pier must reach, each a ratio to its scenario's reference in the same run, and what is known about
 * a figure when a run misses it (the profile that explains it and what would close it).
 */
final class Targets {

    /**
     * One figure to reach.
     *
     * @param scenario   where it is measured
     * @param peer       the Pier peer it is for
     * @param bound      the ratio to reach: at least this where higher is better, at most where lower is
     * @param tail       whether the ratio is of the scenario's {@linkplain Scenario#tailPercentile() tail
     *                   percentile} rather than of its figure
     * @param whenMissed what explains a miss and what would close it
     */
    record Target(Scenario scenario, String peer, double bound, boolean tail, String whenMissed) {

        Target(Scenario scenario, String peer, double bound, String whenMissed) {
            this(scenario, peer, bound, false, whenMissed);
        }

        /** A bound on the ratio of the scenario's tail percentile, beside the one on its figure. */
        static Target onTail(Scenario scenario, String peer, double bound, String whenMissed) {
            return new Target(scenario, peer, bound, true, whenMissed);
        }

        /** The median ratio this target compares with its bound. */
        double ratio(Report.Row row) {
            return tail ? row.tail().median() : row.ratio();
        }

        /** Whether {@code row} reaches the bound; the idle scenario also needs every connection served. */
        boolean metBy(Report.Row row) {
            if (Double.isNaN(ratio(row))) {
                return false;
            }
            boolean ratioMet = scenario.higherIsBetter ? ratio(row) >= bound : ratio(row) <= bound;
            return ratioMet && (scenario != Scenario.IDLE || row.leastServed() == row.attempted());
        }

        /** Whether this run's rounds fall on both sides of the bound, so that its median alone decides nothing. */
        boolean boundWithinRounds(Report.Row row) {
            return row.runs() > 1 && lowest(row) <= bound && bound <= highest(row);
        }

        double lowest(Report.Row row) {
            return tail ? row.tail().lowest() : row.lowestRatio();
        }

        double highest(Report.Row row) {
            return tail ? row.tail().highest() : row.highestRatio();
        }

        String describe() {
            return (tail ? scenario.tailName() + " " : scenario == Scenario.ECHO_LATENCY ? "p99 "
                    : scenario.forking() ? "median " : "")
                    + (scenario.higherIsBetter ? "≥ " : "≤ ") + Report.ratio(bound) + " × " + scenario.reference()
                    + (scenario == Scenario.IDLE ? ", all served" : "");
        }
    }

    private static final String NO_PROFILE = "No profile explains this miss yet: run the scenario again with more "
            + "runs (`--runs 7`) to tell noise from a regression, then profile the server.";

    private static final String COMMAND = """
            No profile explains this miss yet. Compare the row with the library server of the same model in the \
            same table: the command runs the same server, so a gap between the two is what the command adds \
            (its logging, its options, the launcher's JVM options); with no gap, the miss is the model's, and its \
            own row's note applies.""";

    private static final String FORKING = """
            No profile explains this miss yet. A forked Pier child is a whole JVM, where Python's `fork()` copies a \
            process that is already running the request path: a warm child has started, but still runs the \
            handler's code for the first time, interpreted (see `Forking`'s documentation for its cost). What \
            would narrow it: a child that has run the request path before its request comes (a training run), \
            and enough warm children for the steady rate that none has to start while a client waits.""";

    private static final String STARTUP = """
            The command model no longer reads annotations: picocli's programmatic API builds it (`cli/Options`), so             the JDK generates no proxy class per annotation type at start-up (8 before, 0 now), and 16 to 19             classes come from outside the AOT cache, where 35 did; measured by hand on this machine, the median time             from exec to the ready line fell from 880 to 604 ms (25 runs each, alternating). Of the main thread's             CPU that is left, measured with an instrumented copy (about 230 to 300 ms, the JVM's start included):             picocli's model about 40 ms, setting up logging about 25 ms (most of it `java.util.logging`'s             `LogManager` starting), parsing 2 ms; the JVM's own start before `main` is the bulk, and the launcher's             shell adds about 12 ms. What would close the rest: a `System.LoggerFinder` of Pier's own in place of             `java.util.logging`, and beyond that ahead-of-time compiled code or a restored process checkpoint, which             the JDK 25 does not offer; Twisted's `fastpoetry.py` starts an interpreter that has no JIT to warm.""";

    private static final String IDLE_REACTOR = """
            Where the reactor's memory goes at its peak, from `/proc/PID/smaps` with 10,000 connections held: the \
            Java heap is about 12 MB resident, while the JVM's own code (`libjvm.so`, about 17 MB) and its \
            class-data-sharing archive (about 14.5 MB) take about 32 MB, and thread stacks, metaspace and the JIT's \
            code cache most of the rest: costs every JVM pays, Netty's included, before its first connection; the \
            spread between runs is about 5 MB. The Serial GC, a fixed young generation or fewer malloc arenas made \
            no difference beyond that. The connections themselves are the smaller part: started and idle, the \
            same server peaks at about 54 MiB (see the start-up table), so 10,000 connections add about 16 MiB, \
            1.6 KB each, where Netty's add about 47 MiB. What would close it for good: a JVM with a smaller fixed \
            footprint.""";

    private static final String ECHO_REACTOR = """
            Compare the server CPU per echo with Netty's in the table: the reactor's is no higher. Profiled with \
            async-profiler under this load, 86% of the reactor's CPU samples are in the kernel (the `write` that \
            sends a reply, which on loopback also delivers it, 67%; `read` 13%; `epoll_wait` 6%), so what a \
            server does in user space barely moves the figure. Driver and server share the two cores, so the \
            fast servers meet the same ceiling: see how little `c-epoll`, the C floor, gains over Netty in the \
            same run. A miss whose rounds' range spans the bound is the spread between runs at that ceiling, not \
            the server. What would widen the margin: more cores than the driver and server share, or a driver on \
            another machine.""";

    private static final String STREAM_REACTOR = """
            Streaming is bounded by the kernel's loopback copies, not by the servers: every peer, Python's \
            socketserver and the C floor included, lands within about 10% of Netty (see the table), and the \
            reactor's server CPU per MB is at or below Netty's. Per run the reactor's figures overlap Netty's \
            (`scripts/bench stream` prints each run), so a miss whose rounds' range spans the bound is the spread \
            between runs. What would widen the margin: fewer copies, e.g. `splice` between the socket and a pipe, \
            which only pays where the kernel copy is the cost and the data need not pass through Java.""";

    private static final String IDLE_VIRTUAL = """
            A heap histogram (`jcmd GC.class_histogram`) with 10,000 connections held: each virtual thread blocked \
            in `read` keeps its stack as a heap object (`jdk.internal.vm.StackChunk`), about 2.8 KB for the 20 or \
            so frames from the thread's start through `StreamRequestHandler.handle` to the JDK's poller, about \
            37 MB in all and two thirds of the live heap, where Netty keeps no stack per connection. Pier already \
            keeps no wrapper frames below a handler; what would close the rest: fewer JDK frames below a blocked \
            read, or compacted stack chunks, both inside the JDK.""";

    private static final String UDP_REACTOR = """
            Both servers serve the port from one thread and send a burst's replies with one `sendmmsg` call \
            (Pier through the FFM API), and Pier's server CPU per datagram is at or below Netty's (see the table), \
            so a miss here is the run-to-run spread of a scenario whose driver shares the two cores with the \
            server. What would widen the margin: receiving with `recvmmsg` as well.""";

    private static final String ECHO_VIRTUAL = """
            The server CPU per echo (see the table) is where the virtual threads pay: the handler's blocking read \
            finds no data (the client waits for the previous reply), so the JDK registers the socket with its \
            poller (an `epoll_ctl` with `EPOLLONESHOT`, in `sun.nio.ch.Poller`), freezes the thread's stack, and \
            later a poller thread unparks it and the scheduler thaws it on a carrier: work the event loop does not \
            do per message. What would close it: a JDK poller that keeps a descriptor registered between reads, \
            or the reactor model for chatty connections.""";

    private static final String TLS_ECHO_REACTOR = """
            JFR execution samples (every 1 ms, `jdk.ExecutionSample#period=1ms`) of the reactor under this load: \
            74% of them are the JDK's `SSLEngine` sealing and opening records (AES-GCM, much of it setting the \
            cipher up again for each record), 23% socket reads and writes, and Pier's own code under 4%. Its server \
            CPU per echo is at or below `netty-epoll`'s in the table, whose `SslHandler` runs the same engine, so a \
            miss whose rounds' range spans the bound is the spread between runs on two shared cores, where the \
            driver's TLS costs as much CPU per echo as the server's. What would widen the margin: a TLS engine \
            that seals records with less work per record than the JDK's (see `netty-openssl`).""";

    private static final String TLS_ECHO_VIRTUAL = """
            The server CPU per echo (see the table) is about twice the reactor's. JFR execution samples (every \
            1 ms) under this load: with a layer, a connection of the socketserver model has two virtual threads, \
            one reading the socket and running the TLS layer (`LayeredConnection.readSocket`, 48% of the samples) \
            and the handler (37%), which waits on a condition for the plaintext; so each message is parked and \
            unparked twice, once in the JDK's poller and once through a lock and condition, where plain echo \
            parks once. By kind: 46% the JDK's TLS records (per echo a little more than the reactor spends), 36% \
            parking, unparking, the lock and the scheduler, 17% socket reads, writes and the poller. What would \
            close it: running the layers on the handler's own thread while it reads, leaving the reading thread \
            only the times the handler is not reading, so that a message costs one park as it does without TLS.""";

    private static final String TLS_POETRY = """
            JFR execution samples (every 1 ms) of the reactor under this load: 85% are the JDK's handshake \
            (X25519 key exchange 25%, the ECDSA P-256 signature 13%, hashes and HKDF 9%, the handshake's \
            messages, extensions and session 32%, record encryption 6%), 11% accepting, reading, writing and \
            closing sockets, and Pier's own code under 1%. So Pier's figure is the JDK's handshake rate, as is \
            `netty-epoll`'s, whose `SslHandler` runs the same engine: the server CPU per handshake is within about \
            10% of Netty's in the table, a miss whose rounds' range spans the bound is the spread between runs, \
            and the driver, making the client's side of the same JDK handshake, takes about as much of the two \
            cores. The `netty-openssl` column is the JDK's TLS against BoringSSL's, which spends about a quarter \
            of the server CPU per handshake; what would close that: a TLS engine on a native library (BoringSSL \
            through the FFM API) behind Pier's TLS layer, not a change in the layer.""";

    static final List<Target> ALL = List.of(
            new Target(Scenario.ECHO, "pier-reactor", 1.1, ECHO_REACTOR),
            new Target(Scenario.ECHO, "pier-virtual", 1.0, ECHO_VIRTUAL),
            new Target(Scenario.ECHO, "pier-cli-reactor", 1.1, COMMAND),
            new Target(Scenario.ECHO, "pier-cli-virtual", 1.0, COMMAND),
            new Target(Scenario.ECHO_LATENCY, "pier-reactor", 1.0, NO_PROFILE),
            Target.onTail(Scenario.ECHO_LATENCY, "pier-reactor", 1.0, NO_PROFILE),
            new Target(Scenario.ECHO_LATENCY, "pier-virtual", 1.5, NO_PROFILE),
            new Target(Scenario.ECHO_LATENCY, "pier-cli-reactor", 1.0, COMMAND),
            Target.onTail(Scenario.ECHO_LATENCY, "pier-cli-reactor", 1.0, COMMAND),
            new Target(Scenario.ECHO_LATENCY, "pier-cli-virtual", 1.5, COMMAND),
            new Target(Scenario.POETRY, "pier-reactor", 1.1, NO_PROFILE),
            new Target(Scenario.POETRY, "pier-virtual", 1.0, NO_PROFILE),
            new Target(Scenario.POETRY, "pier-cli-reactor", 1.1, COMMAND),
            new Target(Scenario.POETRY, "pier-cli-virtual", 1.0, COMMAND),
            new Target(Scenario.UDP, "pier-reactor", 1.1, UDP_REACTOR),
            new Target(Scenario.UDP, "pier-virtual", 1.0, NO_PROFILE),
            new Target(Scenario.UDP, "pier-cli-reactor", 1.1, COMMAND),
            new Target(Scenario.UDP, "pier-cli-virtual", 1.0, COMMAND),
            new Target(Scenario.IDLE, "pier-reactor", 0.5, IDLE_REACTOR),
            new Target(Scenario.IDLE, "pier-virtual", 0.8, IDLE_VIRTUAL),
            new Target(Scenario.IDLE, "pier-cli-reactor", 0.5, IDLE_REACTOR),
            new Target(Scenario.IDLE, "pier-cli-virtual", 0.8, IDLE_VIRTUAL),
            new Target(Scenario.STREAM, "pier-reactor", 1.1, STREAM_REACTOR),
            new Target(Scenario.STREAM, "pier-virtual", 1.0, NO_PROFILE),
            new Target(Scenario.STARTUP, "pier-cli", 0.5, STARTUP),
            new Target(Scenario.FORKING_WARM, "pier-cli-forking", 2.0, FORKING),
            new Target(Scenario.FORKING_STEADY, "pier-cli-forking", 3.0, FORKING),
            new Target(Scenario.TLS_ECHO, "pier-reactor", 1.0, TLS_ECHO_REACTOR),
            new Target(Scenario.TLS_ECHO, "pier-virtual", 0.8, TLS_ECHO_VIRTUAL),
            new Target(Scenario.TLS_POETRY, "pier-reactor", 1.0, TLS_POETRY),
            new Target(Scenario.TLS_POETRY, "pier-virtual", 0.8, TLS_POETRY));

    private Targets() {
    }

    /** The row measuring {@code target} in this run, if its scenario and peer ran. */
    static Optional<Report.Row> rowFor(Target target, List<Report.Row> rows) {
        return rows.stream()
                .filter(row -> row.scenario() == target.scenario() && row.peer().equals(target.peer()))
                .findFirst();
    }
}
