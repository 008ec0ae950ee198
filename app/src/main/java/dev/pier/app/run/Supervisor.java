package dev.pier.app.run;

import dev.pier.app.cli.CommandFailure;
import dev.pier.app.cli.ExitStatus;
import dev.pier.app.cli.ProcessOptions;
import dev.pier.unix.StopSignals;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code pier run --split}: one process per service, each {@code pier run FILE --only NAME}, started again with a
 * growing delay when it dies, and all drained together on a stop signal. The services' ready lines are passed on as
 * they come; {@code Stopped} is said once, when every service has stopped.
 */
final class Supervisor {

    private static final System.Logger LOG = System.getLogger(Supervisor.class.getName());

    /** The delay before a service that died is started again, doubled each time it dies soon after a start. */
    private static final Duration FIRST_DELAY = Duration.ofSeconds(1);
    private static final Duration LONGEST_DELAY = Duration.ofSeconds(30);
    /** A service that served this long before dying is started again after the first delay. */
    private static final Duration STEADY = Duration.ofMinutes(1);

    private final Path file;
    private final List<String> names;
    private final ProcessOptions process;
    private final PrintWriter out;
    private final PrintWriter err;
    private final Map<String, Child> children = new LinkedHashMap<>();
    private final StopSignals stop;
    private List<String> command;
    private boolean stopping;

    /** One service's process, the one running now; null between a death and the next start. */
    private final class Child {
        final String name;
        Process running;
        long startedAt;
        Duration delay = FIRST_DELAY;
        final List<Thread> forwarders = new ArrayList<>();

        Child(String name) {
            this.name = name;
        }
    }

    Supervisor(Path file, List<String> names, ProcessOptions process, PrintWriter out, PrintWriter err) {
        this.file = file;
        this.names = names;
        this.process = process;
        this.out = out;
        this.err = err;
        this.stop = StopSignals.install();
    }

    /**
     * Starts every service with {@code commandLessName} followed by its name, supervises them until a stop signal,
     * then stops them all: SIGTERM to each (they drain as a command does), and another on a second signal.
     */
    int superviseUntilStopped(List<String> commandLessName) {
        this.command = commandLessName;
        return process.asProcess(() -> {
            synchronized (this) {
                for (String name : names) {
                    Child child = new Child(name);
                    children.put(name, child);
                    start(child);
                }
            }
            stop.stopRequested().join();
            List<Process> draining;
            synchronized (this) {
                stopping = true;
                draining = children.values().stream().map(child -> child.running).filter(p -> p != null).toList();
            }
            draining.forEach(Process::destroy);
            CompletableFuture<Void> allExited = CompletableFuture.allOf(
                    draining.stream().map(Process::onExit).toArray(CompletableFuture[]::new));
            CompletableFuture.anyOf(allExited, stop.stopInsisted()).join();
            if (!allExited.isDone()) {
                // A second signal each, as a second Ctrl-C to a command: the drains are cut short.
                draining.forEach(Process::destroy);
                allExited.join();
            }
            forwardersFinished();
            for (Child child : children.values()) {
                Process last = child.running;
                if (last != null && last.exitValue() != 0) {
                    throw new CommandFailure("the " + child.name + " service stopped with exit status "
                            + last.exitValue());
                }
            }
            out.println("Stopped");
            out.flush();
            return ExitStatus.OK;
        });
    }

    /** Starts the service's process, or says why it could not and tries again later. */
    private synchronized void start(Child child) {
        if (stopping) {
            return;
        }
        List<String> line = new ArrayList<>(command);
        line.add(child.name);
        Process started;
        try {
            started = new ProcessBuilder(line)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.PIPE)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
        } catch (IOException e) {
            LOG.log(Level.ERROR, "cannot start the " + child.name + " service: " + e.getMessage());
            startLater(child);
            return;
        }
        child.running = started;
        child.startedAt = System.nanoTime();
        child.forwarders.add(Thread.ofVirtual().name("pier-" + child.name + "-output")
                .start(() -> forward(started)));
        LOG.log(Level.INFO, "started the " + child.name + " service (pid " + started.pid() + ")");
        started.onExit().thenAccept(exited -> died(child, exited));
    }

    private synchronized void died(Child child, Process exited) {
        if (stopping) {
            return;
        }
        if (Duration.ofNanos(System.nanoTime() - child.startedAt).compareTo(STEADY) >= 0) {
            child.delay = FIRST_DELAY;
        }
        LOG.log(Level.WARNING, "the " + child.name + " service (pid " + exited.pid() + ") exited with status "
                + exited.exitValue() + "; starting it again in " + child.delay.toSeconds() + " s");
        startLater(child);
    }

    private void startLater(Child child) {
        Duration delay = child.delay;
        child.delay = delay.multipliedBy(2).compareTo(LONGEST_DELAY) > 0 ? LONGEST_DELAY : delay.multipliedBy(2);
        Thread.ofVirtual().name("pier-" + child.name + "-restart").start(() -> {
            try {
                // A stop signal during the delay ends it: nothing is started again then.
                stop.stopRequested().get(delay.toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException delayOver) {
                start(child);
            } catch (InterruptedException | ExecutionException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** Passes the service's ready lines on; its {@code Stopped} is said once for all, by this process. */
    private void forward(Process child) {
        try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = lines.readLine()) != null; ) {
                if (!line.equals("Stopped")) {
                    synchronized (out) {
                        out.println(line);
                        out.flush();
                    }
                }
            }
        } catch (IOException e) {
            // The JDK closes the pipe of a process that exited under a reader blocked on it: that is its end.
            if (child.isAlive()) {
                LOG.log(Level.WARNING, "lost the output of a service (pid " + child.pid() + "): " + e.getMessage());
            }
        }
    }

    private void forwardersFinished() {
        for (Child child : children.values()) {
            for (Thread forwarder : child.forwarders) {
                try {
                    forwarder.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
