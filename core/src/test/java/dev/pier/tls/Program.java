package dev.pier.tls;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** An external program (openssl, python3) run for a test, its output gathered as it comes. */
final class Program implements AutoCloseable {

    private final Process process;
    private final StringBuffer output = new StringBuffer();
    private final Thread reader;

    private Program(Process process) {
        this.process = process;
        this.reader = Thread.ofVirtual().start(() -> {
            try (InputStream in = process.getInputStream()) {
                byte[] buffer = new byte[4096];
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    synchronized (output) {
                        output.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
                        output.notifyAll();
                    }
                }
            } catch (IOException e) {
                // the process went away: what was read is the output
            }
        });
    }

    /** Starts {@code command} in {@code dir}, standard error merged into the output. */
    static Program start(Path dir, List<String> command) {
        try {
            return new Program(new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start());
        } catch (IOException e) {
            throw new AssertionError("cannot start " + command, e);
        }
    }

    /** Writes {@code text} to the program's standard input. */
    Program send(String text) {
        try {
            OutputStream in = process.getOutputStream();
            in.write(text.getBytes(StandardCharsets.UTF_8));
            in.flush();
        } catch (IOException e) {
            throw new AssertionError("cannot write to the program", e);
        }
        return this;
    }

    /** Waits until the output contains {@code text}, and returns the output so far. */
    /** The first whole line of output that starts with {@code prefix}, waiting until its end is printed. */
    String awaitLine(String prefix) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        synchronized (output) {
            while (true) {
                for (String line : output.toString().split("\n", -1)) {
                    int end = output.indexOf(line + "\n");
                    if (line.startsWith(prefix) && end >= 0) {
                        return line;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || (!process.isAlive() && !reader.isAlive())) {
                    fail("no line starting '" + prefix + "' from the program; its output was:\n" + output);
                }
                TimeUnit.NANOSECONDS.timedWait(output, Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
            }
        }
    }

    String awaitOutput(String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        synchronized (output) {
            while (output.indexOf(text) < 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || (!process.isAlive() && !reader.isAlive())) {
                    fail("no '" + text + "' from the program; its output was:\n" + output);
                }
                TimeUnit.NANOSECONDS.timedWait(output, Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
            }
            return output.toString();
        }
    }

    /** Waits for the program to end and returns all its output. */
    String awaitExit() throws InterruptedException {
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            fail("the program did not end; its output was:\n" + output);
        }
        reader.join(TimeUnit.SECONDS.toMillis(5));
        return output.toString();
    }

    int exitValue() {
        return process.exitValue();
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
