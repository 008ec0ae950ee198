package dev.pier.app;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * A pier command running as its own process, as a user runs it: its output is read as it comes, its ready line can
 * be awaited, and it can be sent SIGTERM. Closing it kills the process if it is still running.
 */
public final class PierProcess implements AutoCloseable {

    /** The longest wait for a JVM to start and bind, generous for a loaded two-core machine. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(20);

    private static final Pattern INET_PORT = Pattern.compile(":(\\d+):interface=");

    private final Process process;
    private final CompletableFuture<String> firstLine = new CompletableFuture<>();
    private final List<String> stdoutSoFar = new ArrayList<>();
    private final CompletableFuture<List<String>> stdout;
    private final List<String> stderrSoFar = new ArrayList<>();
    private final CompletableFuture<String> stderr;

    private PierProcess(Process process) {
        this.process = process;
        this.stdout = readLines(process.getInputStream(), firstLine, stdoutSoFar);
        this.stderr = readLines(process.getErrorStream(), new CompletableFuture<>(), stderrSoFar)
                .thenApply(lines -> String.join("\n", lines));
    }

    /** Runs {@code pier ARGS} in {@code directory} through the launcher, as a user does. */
    public static PierProcess start(Path directory, String... args) {
        return run(new ProcessBuilder(command(args)).directory(directory.toFile()));
    }

    /**
     * Runs {@code pier ARGS} as the leader of a process group of its own, as a shell runs a foreground job, so that
     * {@link #interruptGroup()} reaches it and every process it started, as Ctrl-C in a terminal does.
     */
    public static PierProcess startInOwnGroup(Path directory, String... args) {
        List<String> command = new ArrayList<>(List.of("setsid"));
        command.addAll(command(args));
        return run(new ProcessBuilder(command).directory(directory.toFile()));
    }

    private static List<String> command(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Launcher.PATH.toString());
        command.addAll(Arrays.asList(args));
        return command;
    }

    /**
     * The {@code ./pier} launcher of this source tree, which the process tests run exactly as users do (its JVM
     * options, its start-up cache). The build has just packaged the application, so the launcher is told so (or it
     * would rebuild it under the tests), and its start-up cache is trained once here rather than inside a test.
     */
    private static final class Launcher {
        static final Path PATH = root().resolve("pier");

        static {
            try {
                Path stamp = root().resolve("app/target/.pier-build-stamp");
                if (!Files.exists(stamp)) {
                    Files.createFile(stamp);
                }
                Files.setLastModifiedTime(stamp, FileTime.from(Instant.now()));
                Process version = new ProcessBuilder(PATH.toString(), "--version")
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .redirectErrorStream(true).start();
                String output = new String(version.getInputStream().readAllBytes(), UTF_8);
                if (!version.waitFor(2, TimeUnit.MINUTES) || version.exitValue() != 0) {
                    throw new IllegalStateException(PATH + " --version failed: " + output);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** Runs {@code command} in {@code directory} with {@code environment} added to this JVM's. */
    public static PierProcess run(Path directory, Map<String, String> environment, String... command) {
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile());
        builder.environment().putAll(environment);
        return run(builder);
    }

    private static PierProcess run(ProcessBuilder builder) {
        try {
            return new PierProcess(builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + builder.command(), e);
        }
    }

    /** The launcher, ready to run: for a test that starts it through a shell (with ulimit or redirections). */
    public static Path launcher() {
        return Launcher.PATH;
    }

    /** The root of the source tree (where the launcher is). */
    public static Path root() {
        return Path.of(property("pier.root")).toAbsolutePath().normalize();
    }

    private static String property(String name) {
        String value = System.getProperty(name);
        if (value == null) {
            throw new IllegalStateException("system property " + name + " is not set: run these tests with Maven (verify)");
        }
        return value;
    }

    /** The first line on stdout, waiting for it to be printed. */
    public String readyLine() throws InterruptedException, TimeoutException {
        try {
            return firstLine.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("no line on stdout; the process exited with "
                    + process.onExit().thenApply(Process::exitValue).getNow(null)
                    + " and stderr: " + stderr.getNow("(still open)"), e.getCause());
        }
    }

    /** The port in the ready line ({@code ...:PORT:interface=HOST}). */
    public int port() throws InterruptedException, TimeoutException {
        Matcher port = INET_PORT.matcher(readyLine());
        if (!port.find()) {
            throw new AssertionError("no port in the ready line: " + readyLine());
        }
        return Integer.parseInt(port.group(1));
    }

    /** The process id, e.g. to send it another signal. */
    public long pid() {
        return process.pid();
    }

    /** Sends SIGINT to the process group this process leads (see {@link #startInOwnGroup}), as Ctrl-C does. */
    public void interruptGroup() throws IOException, InterruptedException {
        signalGroup("INT");
    }

    /** Sends SIGTERM to the process group this process leads, as systemd stops a unit. */
    public void terminateGroup() throws IOException, InterruptedException {
        signalGroup("TERM");
    }

    private void signalGroup(String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, "--", "-" + process.pid()).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill -" + signal + " -" + process.pid() + " failed");
        }
    }

    /** Sends SIGTERM. */
    public void terminate() {
        // Through the handle: Process.destroy() would also close our ends of stdout and stderr, losing what the
        // process prints while it stops.
        process.toHandle().destroy();
    }

    /** Waits for the process to exit and returns its status. */
    public int exitStatus(Duration timeout) throws InterruptedException, TimeoutException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new TimeoutException("still running after " + timeout);
        }
        return process.exitValue();
    }

    /** True if the process is still running after {@code timeout}. */
    public boolean stillRunningAfter(Duration timeout) throws InterruptedException {
        return !process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Every line on stdout, once the process closed it. */
    public List<String> stdout() throws Exception {
        return stdout.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** What the process has printed on stderr so far, for a failure's message while it may still run. */
    public String stderrSoFar() {
        synchronized (stderrSoFar) {
            return String.join("\n", stderrSoFar);
        }
    }

    /** Everything on stderr, once the process closed it. */
    public String stderr() throws Exception {
        return stderr.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** The first line on stderr that {@code wanted} accepts, waiting for it to be printed. */
    public String awaitStderrLine(Predicate<String> wanted) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        synchronized (stderrSoFar) {
            while (true) {
                for (String line : stderrSoFar) {
                    if (wanted.test(line)) {
                        return line;
                    }
                }
                long left = deadline - System.nanoTime();
                if (stderr.isDone()) {
                    throw new AssertionError("stderr ended without the line awaited: " + stderrSoFar);
                }
                if (left <= 0) {
                    throw new TimeoutException("not on stderr after " + START_TIMEOUT + ": " + stderrSoFar);
                }
                stderrSoFar.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    /** The first {@code count} lines on stdout, waiting for them to be printed (a server with several ports). */
    public List<String> readyLines(int count) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        synchronized (stdoutSoFar) {
            while (stdoutSoFar.size() < count && !stdout.isDone()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new TimeoutException("only " + stdoutSoFar + " on stdout after " + START_TIMEOUT);
                }
                stdoutSoFar.wait(Math.max(1, left / 1_000_000));
            }
            if (stdoutSoFar.size() < count) {
                throw new AssertionError("stdout ended after " + stdoutSoFar + "; stderr: " + stderr.getNow("(open)"));
            }
            return List.copyOf(stdoutSoFar.subList(0, count));
        }
    }

    /** Reads {@code stream} to its end, adding each line to {@code lines} (shared with waiters) as it arrives. */
    private static CompletableFuture<List<String>> readLines(InputStream stream, CompletableFuture<String> first,
            List<String> lines) {
        CompletableFuture<List<String>> all = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, UTF_8))) {
                for (String line; (line = reader.readLine()) != null; ) {
                    first.complete(line);
                    synchronized (lines) {
                        lines.add(line);
                        lines.notifyAll();
                    }
                }
                first.completeExceptionally(new IOException("end of output"));
                synchronized (lines) {
                    all.complete(List.copyOf(lines));
                    lines.notifyAll();
                }
            } catch (IOException e) {
                first.completeExceptionally(e);
                synchronized (lines) {
                    all.completeExceptionally(e);
                    lines.notifyAll();
                }
            }
        });
        return all;
    }
}
