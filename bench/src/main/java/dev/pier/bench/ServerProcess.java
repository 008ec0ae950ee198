package dev.pier.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server under test, run as a separate process: started, awaited until it prints its ready line on stdout
 * (the line names the port it listens on), sampled for CPU time and peak memory through /proc, and stopped.
 */
final class ServerProcess implements AutoCloseable {

    /** The ready line every peer of this module prints. */
    static final Pattern READY = Pattern.compile("READY (\\d+)");

    private static final long READY_TIMEOUT_SECONDS = 60;
    /** Linux's USER_HZ, the unit of the times in /proc/PID/stat; it is 100 on every architecture Linux runs. */
    private static final double TICKS_PER_SECOND = 100;

    /** Servers still running, stopped by a shutdown hook if the runner is interrupted (Ctrl-C) mid-run. */
    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(ServerProcess::destroy),
                "pier-bench-stop-servers"));
    }

    private final Process process;
    private final int port;
    private final long readyAfterNanos;

    private ServerProcess(Process process, int port, long readyAfterNanos) {
        this.process = process;
        this.port = port;
        this.readyAfterNanos = readyAfterNanos;
    }

    /**
     * Starts {@code command}, sending its stderr to {@code log}, and waits for a stdout line matching
     * {@code readyLine}, whose first group is the port.
     */
    static ServerProcess start(List<String> command, Pattern readyLine, Path log) throws IOException {
        Files.createDirectories(log.toAbsolutePath().getParent());
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        long started = System.nanoTime();
        Process process = builder.start();
        RUNNING.add(process);
        CompletableFuture<Integer> ready = new CompletableFuture<>();
        Deque<String> lastLines = new ArrayDeque<>();
        Thread.ofVirtual().name("pier-bench-stdout-" + process.pid()).start(() -> {
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    Matcher matcher = readyLine.matcher(line);
                    if (!ready.isDone() && matcher.find()) {
                        ready.complete(Integer.parseInt(matcher.group(1)));
                    } else if (!ready.isDone()) {
                        synchronized (lastLines) {
                            lastLines.addLast(line);
                            if (lastLines.size() > 20) {
                                lastLines.removeFirst();
                            }
                        }
                    }
                }
            } catch (IOException e) {
                ready.completeExceptionally(e);
            }
            ready.completeExceptionally(new IOException("it exited before printing a ready line"));
        });
        try {
            int port = ready.get(READY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return new ServerProcess(process, port, System.nanoTime() - started);
        } catch (ExecutionException | TimeoutException | InterruptedException e) {
            destroy(process);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            String why = e instanceof TimeoutException
                    ? "no ready line within " + READY_TIMEOUT_SECONDS + "s"
                    : e.getCause() != null ? e.getCause().getMessage() : e.toString();
            String output;
            synchronized (lastLines) {
                output = String.join(" | ", lastLines);
            }
            throw new IOException("server " + String.join(" ", command) + " did not become ready (" + why + ")"
                    + (output.isEmpty() ? "" : "; stdout: " + output) + "; stderr is in " + log);
        }
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    long readyAfterNanos() {
        return readyAfterNanos;
    }

    /**
     * The CPU seconds the server has used so far: its own user and system time, that of its live descendants, and
     * that of its children it has already reaped (a forking server's handlers).
     */
    double cpuSeconds() {
        long ticks = ticks(process.pid(), true);
        for (ProcessHandle child : process.descendants().toList()) {
            ticks += ticks(child.pid(), false);
        }
        return ticks / TICKS_PER_SECOND;
    }

    /** The peak resident memory of the server and its live descendants, in bytes (VmHWM). */
    long peakRssBytes() {
        long kib = peakRssKib(process.pid());
        for (ProcessHandle child : process.descendants().toList()) {
            kib += peakRssKib(child.pid());
        }
        return kib * 1024;
    }

    private static long ticks(long pid, boolean withReapedChildren) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // Fields after the command name, which is in parentheses and may hold spaces: state is field 3.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime
            if (withReapedChildren) {
                ticks += Long.parseLong(fields[13]) + Long.parseLong(fields[14]); // cutime, cstime
            }
            return ticks;
        } catch (IOException | RuntimeException e) {
            return 0; // the process has just exited: its time is in its parent's cutime now
        }
    }

    private static long peakRssKib(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // The process has just exited.
        }
        return 0;
    }

    @Override
    public void close() {
        destroy(process);
    }

    private static void destroy(Process process) {
        RUNNING.remove(process);
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroy();
        descendants.forEach(ProcessHandle::destroy);
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        descendants.forEach(ProcessHandle::destroyForcibly);
    }
}
