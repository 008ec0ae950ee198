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

    private static final String COMMAND = """
            Measured beside the library server of the same model in this run. The commands' reactor mode serves \
            on one event loop per core, as `pier-reactor` does (UDP included, where `pier-reactor` uses one). In \
            poetry the command also logs a line per client (`served 3003 bytes to ... in 2 ms`): the log's writer \
            thread lets lines gather for 2 ms after each write rather than being woken for every line (which cost \
            25% of the reactor command's poems a second and 38% of the virtual-thread one's), and a record is \
            queued without a copy, so the line costs about 5% of the reactor command's poems and nothing \
            measurable with virtual threads (against `--log-level warn`, 8 s runs). The virtual-thread command \
            runs the same server as `pier-virtual` and lands with it (see that row's note). What would close the \
            rest: a log line cheaper than a `java.util.logging` record and its formatter, e.g. a \
            `System.LoggerFinder` of Pier's own appending bytes to the writer's buffer; `--log-level warn` drops \
            the line where it is not wanted.""";

    private static final String FORKING = """
            A forked Pier child is a JVM, which takes about half a second of CPU to start (the server CPU per request \
            in the table, against a few ms for Python's `fork()` of a process already running the request path). A \
            warm child answers as fast as Python's (forking-warm): it has run the request path once before it says it \
            is ready, and takes its connection as `accept` does. But at 20 requests a second with one request per \
            child, as Python's semantics want, the children's starts need about 10 s of CPU a second, five times what \
            two cores have: children fall behind and each request waits for one, so the median grows with the length \
            of the run. What would close it: `Forking.withRequestsPerChild(n)`, which spreads a JVM's start over n \
            requests (by hand at 20 a second with n = 20: 8 to 10 ms to the first byte), or a JVM that starts in a few \
            ms of CPU (a restored checkpoint), which the JDK 25 does not offer.""";

    private static final String STARTUP = """
            The `pier-reactor` and `pier-virtual` rows, the same server without picocli, the launcher's options or the \
            log set-up, start in about 225 ms, three quarters of Twisted's time: the JVM's own start, with its AOT \
            cache, is most of the command's. The command adds about 50 ms: building its model with picocli (now \
            through its programmatic API, so the JDK no longer generates a proxy class per annotation type: 8 before, \
            none now, and 16 to 19 classes loaded from outside the AOT cache instead of 35), setting up logging (about \
            25 ms, mostly `java.util.logging`'s `LogManager` starting), and the launcher's shell (about 12 ms). What \
            would close it: a `System.LoggerFinder` of Pier's own rather than `java.util.logging` would take some 25 \
            ms; the rest is the JVM's start, which only ahead-of-time compiled code or a restored process checkpoint \
            would cut, and the JDK 25 offers neither.""";

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

    private static final String UDP_VIRTUAL = """
            The socketserver model's `UdpServer` takes every datagram waiting (up to 32) each time its selector \
            wakes (which lifted this row from 0.73 to 0.84 and more), but each datagram is still a request, as in \
            Python's `UDPServer` with `ThreadingMixIn`: a fresh handler on a virtual thread of its own. Measured \
            from /proc under this load, `./pier echo --transport udp` spends the same kernel time per datagram with \
            `--concurrency virtual` as with `reactor` (about 7 us) and about 1.7 us more in user code (4.5 against \
            2.8): the virtual thread per datagram, started from the serving thread, scheduled on a carrier, ended. \
            The serving thread's own bookkeeping is not it: JFR samples it adding each thread to the running set \
            and building its name, but a build without either (tried) served at the same rate with the same CPU. \
            What would close it: cheaper virtual-thread starts in the JDK, or the handlers of one burst run on one \
            thread, which would let one slow handler delay the datagrams after it (socketserver's threading \
            servers never do).""";

    private static final String STREAM_VIRTUAL = """
            Streaming is bounded by the kernel's loopback copies (see the reactor's note), and the rounds range \
            widely. JFR execution samples (every 1 ms) of `./pier echo --concurrency virtual` streaming 1 GiB \
            showed the handler's streams reading into and writing from a heap array, which the JDK copies through \
            a temporary direct buffer each way (about a tenth of the samples). A handler's \
            `in().transferTo(out())` now moves the bytes socket to socket through one direct buffer: by hand, \
            `./pier echo` streamed about 3% more for 4% less CPU. What is left is the kernel's, as for every peer: \
            what would widen the margin is fewer copies there (see the reactor's note).""";


    private static final String LATENCY = """
            At half Netty's peak the loops are idle most of the time, and the tail is set by pauses, not work. With \
            `-Xlog:gc` under this load the echo servers allocate so little that the JVM collects once or twice in a \
            run, but each of G1's young pauses took 8 to 17 ms on these two shared cores (copying about 3 MB of \
            survivors, mostly the start-up's own objects, with the driver busy on the same cores); at 40,000 \
            messages a second one pause delays several hundred of them, so a run's p99.9 holds one pause or none, \
            and rounds range widely on both sides of Netty's, whose pauses land the same way. The launcher's \
            collector was chosen from measurements: the Serial and Parallel collectors made no difference to \
            throughput, CPU per operation or peak RSS in echo and poetry (by hand, 6 to 8 s runs), and showed no \
            pause in this scenario's window only because their first young generation is larger; ZGC cut the echo \
            p99.9 by about a fifth for a third more memory. So `./pier` keeps the JVM's default, G1, which also \
            suits the larger heaps of a caching proxy; `PIER_JAVA_OPTS=-XX:+UseZGC` is there for a deployment bound \
            by tail latency. What would close it here: fewer objects surviving the start-up, so the first pauses \
            have less to copy.""";

    private static final String POETRY = """
            A poem here is a connection's whole life: accept, a 3 KB write, close; the driver's CPU per poem, about \
            as much as the server's, shares the two cores, and the C floor (`c-epoll`) lands only about a fifth \
            above Netty. Compare the server CPU per poem with Netty's in the table: the library servers' is below \
            it in the runs so far, so a miss whose rounds' range spans the bound is the spread between runs at \
            that shared ceiling. What would widen the margin: more cores than the driver and server share.""";

    private static final String ECHO_VIRTUAL = """
            The server CPU per echo (see the table) is where the virtual threads pay: the handler's blocking read \
            finds no data (the client waits for the previous reply), so the JDK registers the socket with its \
            poller (an `epoll_ctl` with `EPOLLONESHOT`, in `sun.nio.ch.Poller`), freezes the thread's stack, and \
            later a poller thread unparks it and the scheduler thaws it on a carrier: work the event loop does not \
            do per message. Measured from /proc (`./pier echo`, 100 clients): about 11 us of kernel time per echo \
            against the reactor command's 7 (the read that finds nothing and the `epoll_ctl` are system calls the \
            loop does not make, and the carriers' wake-ups are futex calls) and 5 us of user time against 2.5. The \
            JDK's other poller mode (`-Djdk.pollerMode=1`), one read poller (`-Djdk.readPollers=1`) and one \
            carrier (`-Djdk.virtualThreadScheduler.parallelism=1`), each tried, served no faster. What would close \
            it: a JDK poller that keeps a descriptor registered between reads, or the reactor model for chatty \
            connections.""";

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
            new Target(Scenario.ECHO_LATENCY, "pier-reactor", 1.0, LATENCY),
            Target.onTail(Scenario.ECHO_LATENCY, "pier-reactor", 1.0, LATENCY),
            new Target(Scenario.ECHO_LATENCY, "pier-virtual", 1.5, LATENCY),
            new Target(Scenario.ECHO_LATENCY, "pier-cli-reactor", 1.0, LATENCY),
            Target.onTail(Scenario.ECHO_LATENCY, "pier-cli-reactor", 1.0, LATENCY),
            new Target(Scenario.ECHO_LATENCY, "pier-cli-virtual", 1.5, LATENCY),
            new Target(Scenario.POETRY, "pier-reactor", 1.1, POETRY),
            new Target(Scenario.POETRY, "pier-virtual", 1.0, POETRY),
            new Target(Scenario.POETRY, "pier-cli-reactor", 1.1, COMMAND),
            new Target(Scenario.POETRY, "pier-cli-virtual", 1.0, COMMAND),
            new Target(Scenario.UDP, "pier-reactor", 1.1, UDP_REACTOR),
            new Target(Scenario.UDP, "pier-virtual", 1.0, UDP_VIRTUAL),
            new Target(Scenario.UDP, "pier-cli-reactor", 1.1, COMMAND),
            new Target(Scenario.UDP, "pier-cli-virtual", 1.0, COMMAND),
            new Target(Scenario.IDLE, "pier-reactor", 0.5, IDLE_REACTOR),
            new Target(Scenario.IDLE, "pier-virtual", 0.8, IDLE_VIRTUAL),
            new Target(Scenario.IDLE, "pier-cli-reactor", 0.5, IDLE_REACTOR),
            new Target(Scenario.IDLE, "pier-cli-virtual", 0.8, IDLE_VIRTUAL),
            new Target(Scenario.STREAM, "pier-reactor", 1.1, STREAM_REACTOR),
            new Target(Scenario.STREAM, "pier-virtual", 1.0, STREAM_VIRTUAL),
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
