package dev.pier.app.run;

import dev.pier.app.cli.CommandFailure;
import dev.pier.app.cli.ExitStatus;
import dev.pier.app.cli.LogSetup;
import dev.pier.app.cli.ProcessOptions;
import dev.pier.app.cli.Supervised;
import dev.pier.unix.StopSignals;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code pier run --split}: one process per service, each {@code pier run FILE --only NAME}, started again with a
 * growing delay when it dies, and all drained together on a stop signal. The services' ready lines are passed on as
 * they come; {@code Stopped} is said once, when every service has stopped. The processes hear from this one through
 * their standard input ({@link Supervised}): a stop, a log rotation, and this process's end.
 */
final class Supervisor {

    private static final System.Logger LOG = System.getLogger(Supervisor.class.getName());

    /** The delay before a service that died is started again, doubled each time it dies soon after a start. */
    private static final Duration FIRST_DELAY = Duration.ofSeconds(1);
    private static final Duration LONGEST_DELAY = Duration.ofSeconds(30);
    /** A service that served this long before dying is started again after the first delay. */
    private static final Duration STEADY = Duration.ofMinutes(1);
    /** A service that dies this many times in a row, each time soon after its start, will not start: all stop. */
    private static final int QUICK_DEATHS_TO_GIVE_UP = 5;

    private final List<String> names;
    private final ProcessOptions process;
    private final PrintWriter out;
    private final List<Child> children = new ArrayList<>();
    private final List<Thread> forwarders = new CopyOnWriteArrayList<>();
    private final StopSignals stop;
    private List<String> command;
    private boolean stopping;
    private String gaveUp;

    /** One service's process: the one running now, null between a death and the next start. */
    private static final class Child {
        final String name;
        Process running;
        OutputStream words;
        long startedAt;
        Duration delay = FIRST_DELAY;
        int quickDeaths;

        Child(String name) {
            this.name = name;
        }
    }

    Supervisor(List<String> names, ProcessOptions process, PrintWriter out) {
        this.names = names;
        this.process = process;
        this.out = out;
        this.stop = StopSignals.install();
    }

    /**
     * Starts every service with {@code commandLessName} followed by its name, supervises them until a stop signal,
     * then stops them all: a stop to each (they drain as a command does), and another on a second signal.
     */
    int superviseUntilStopped(List<String> commandLessName) {
        this.command = commandLessName;
        return process.asProcess(() -> {
            LogSetup.reopenOnSignal(() -> tellAll(Supervised.REOPEN_LOG));
            synchronized (this) {
                for (String name : names) {
                    Child child = new Child(name);
                    children.add(child);
                    start(child);
                }
            }
            stop.stopRequested().join();
            List<Process> draining;
            synchronized (this) {
                stopping = true;
                draining = children.stream().map(child -> child.running).filter(Objects::nonNull).toList();
            }
            tellAll(Supervised.STOP);
            CompletableFuture<Void> allExited = CompletableFuture.allOf(
                    draining.stream().map(Process::onExit).toArray(CompletableFuture[]::new));
            CompletableFuture.anyOf(allExited, stop.stopInsisted()).join();
            if (!allExited.isDone()) {
                // A second stop each, as a second Ctrl-C to a command: the drains are cut short.
                tellAll(Supervised.STOP);
                allExited.join();
            }
            endOfWords();
            forwardersFinished();
            if (gaveUp != null) {
                throw new CommandFailure(gaveUp);
            }
            for (Process last : draining) {
                if (last.exitValue() != 0) {
                    String name = children.stream().filter(child -> child.running == last).findFirst()
                            .map(child -> child.name).orElse("a");
                    throw new CommandFailure("the " + name + " service stopped with exit status " + last.exitValue());
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
        // A start that fails at once counts as a death soon after its start, towards giving up.
        child.startedAt = System.nanoTime();
        Process started;
        try {
            started = new ProcessBuilder(line)
                    .redirectInput(ProcessBuilder.Redirect.PIPE)
                    .redirectOutput(ProcessBuilder.Redirect.PIPE)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
        } catch (IOException e) {
            LOG.log(Level.ERROR, "cannot start the " + child.name + " service: " + e.getMessage());
            died(child, "could not start");
            return;
        }
        child.running = started;
        child.words = started.getOutputStream();
        forwarders.add(Thread.ofVirtual().name("pier-" + child.name + "-output").start(() -> forward(started)));
        LOG.log(Level.INFO, "started the " + child.name + " service (pid " + started.pid() + ")");
        started.onExit().thenAccept(exited -> exited(child, exited));
    }

    private synchronized void exited(Child child, Process exited) {
        if (stopping || child.running != exited) {
            return;
        }
        child.running = null;
        closeQuietly(child.words);
        died(child, "(pid " + exited.pid() + ") exited with status " + exited.exitValue());
    }

    /** Starts the service again after its delay, or gives up on it and stops everything if it keeps dying. */
    private void died(Child child, String how) {
        boolean quick = Duration.ofNanos(System.nanoTime() - child.startedAt).compareTo(STEADY) < 0;
        child.quickDeaths = quick ? child.quickDeaths + 1 : 1;
        if (!quick) {
            child.delay = FIRST_DELAY;
        }
        if (child.quickDeaths >= QUICK_DEATHS_TO_GIVE_UP) {
            gaveUp = "the " + child.name + " service " + how + ", the " + QUICK_DEATHS_TO_GIVE_UP
                    + "th time in a row within a minute of its start: see its messages above";
            LOG.log(Level.ERROR, gaveUp + "; stopping every service");
            stop.requestStop();
            return;
        }
        Duration delay = child.delay;
        LOG.log(Level.WARNING, "the " + child.name + " service " + how + "; starting it again in "
                + delay.toSeconds() + " s");
        child.delay = delay.multipliedBy(2).compareTo(LONGEST_DELAY) > 0 ? LONGEST_DELAY : delay.multipliedBy(2);
        Thread.ofVirtual().name("pier-" + child.name + "-restart").start(() -> {
            try {
                // A stop during the delay ends it: nothing is started again then.
                stop.stopRequested().get(delay.toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException delayOver) {
                start(child);
            } catch (InterruptedException | ExecutionException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    private synchronized void tellAll(String word) {
        for (Child child : children) {
            if (child.running != null) {
                try {
                    child.words.write((word + "\n").getBytes(StandardCharsets.UTF_8));
                    child.words.flush();
                } catch (IOException exitedMeanwhile) {
                    // Its end is handled where its exit is.
                }
            }
        }
    }

    private synchronized void endOfWords() {
        children.forEach(child -> closeQuietly(child.words));
    }

    private static void closeQuietly(OutputStream words) {
        try {
            if (words != null) {
                words.close();
            }
        } catch (IOException alreadyGone) {
            // Nobody reads it any more.
        }
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
        for (Thread forwarder : forwarders) {
            try {
                forwarder.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
