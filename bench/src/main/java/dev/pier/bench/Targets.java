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
     * @param whenMissed what explains a miss and what would close it
     */
    record Target(Scenario scenario, String peer, double bound, String whenMissed) {

        /** Whether {@code row} reaches the bound; the idle scenario also needs every connection served. */
        boolean metBy(Report.Row row) {
            if (Double.isNaN(row.ratio())) {
                return false;
            }
            boolean ratioMet = scenario.higherIsBetter ? row.ratio() >= bound : row.ratio() <= bound;
            return ratioMet && (scenario != Scenario.IDLE || row.leastServed() == row.attempted());
        }

        String describe() {
            return (scenario.higherIsBetter ? "≥ " : "≤ ") + Report.ratio(bound) + " × " + scenario.reference()
                    + (scenario == Scenario.IDLE ? ", all served" : "");
        }
    }

    private static final String NO_PROFILE = "No profile explains this miss yet: run the scenario again with more "
            + "runs (`--runs 7`) to tell noise from a regression, then profile the server.";

    private static final String STARTUP = """
            Profiled with async-profiler (CPU samples every 100 µs, per thread) on `pier poetry serve` started as \
            the launcher starts it, AOT cache included: of the main thread's samples, 69% are picocli building its \
            command model and 6% picocli parsing the command line; the command itself (reactor, listening port, \
            poem, ready line) is 13% and the JVM's start before `main` 7%. Inside the model: reading annotations \
            makes the JDK generate a proxy class per annotation type with the ClassFile API (11% of all samples), \
            and picocli's classes, compiled for Java 5 (class-file version 49), are verified at every start (8%) \
            because the AOT cache stores but cannot link classes that old; the rest is reflection run by the \
            interpreter while the JIT compilers catch up. What would close it: a command model built without \
            annotation reflection at start-up, a picocli compiled for a current class-file version (which the AOT \
            cache could link), or the JDK's ahead-of-time compiled code (a feature of JDKs after 25).""";

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

    static final List<Target> ALL = List.of(
            new Target(Scenario.ECHO, "pier-reactor", 1.0, NO_PROFILE),
            new Target(Scenario.ECHO, "pier-virtual", 0.8, ECHO_VIRTUAL),
            new Target(Scenario.POETRY, "pier-reactor", 1.0, NO_PROFILE),
            new Target(Scenario.POETRY, "pier-virtual", 0.8, NO_PROFILE),
            new Target(Scenario.UDP, "pier-reactor", 1.0, UDP_REACTOR),
            new Target(Scenario.UDP, "pier-virtual", 0.8, NO_PROFILE),
            new Target(Scenario.IDLE, "pier-reactor", 0.6, NO_PROFILE),
            new Target(Scenario.IDLE, "pier-virtual", 1.0, IDLE_VIRTUAL),
            new Target(Scenario.STREAM, "pier-reactor", 1.0, NO_PROFILE),
            new Target(Scenario.STREAM, "pier-virtual", 0.8, NO_PROFILE),
            new Target(Scenario.STARTUP, "pier-cli", 0.5, STARTUP));

    private Targets() {
    }

    /** The row measuring {@code target} in this run, if its scenario and peer ran. */
    static Optional<Report.Row> rowFor(Target target, List<Report.Row> rows) {
        return rows.stream()
                .filter(row -> row.scenario() == target.scenario() && row.peer().equals(target.peer()))
                .findFirst();
    }
}
