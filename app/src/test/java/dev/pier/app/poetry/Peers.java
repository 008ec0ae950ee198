package dev.pier.app.poetry;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The programs the interoperability tests talk to: Python 3 with Twisted running the scripts in src/test/python
 * (the tutorial's poetry programs, written for these tests) and {@code nc}. A test that needs one that is missing is
 * skipped, loudly (scripts/install-test-peers installs them).
 */
final class Peers {

    static final Path SCRIPTS = Path.of("src/test/python").toAbsolutePath();
    static final Path POEMS = Path.of("src/main/resources/dev/pier/app/poetry").toAbsolutePath();
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(30);
    private static final Optional<String> PYTHON = findPython();

    private Peers() {}

    /** A sample poem's file. */
    static Path poem(String name) {
        return POEMS.resolve(name);
    }

    /** Everything a poetry server on 127.0.0.1:{@code port} sends, until it closes the connection. */
    static byte[] fetch(int port) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            return socket.getInputStream().readAllBytes();
        }
    }

    static byte[] poemBytes(String name) throws IOException {
        return Files.readAllBytes(poem(name));
    }

    /** The first of PIER_PYTHON, python3 and /usr/bin/python3 that can import twisted. */
    private static Optional<String> findPython() {
        List<String> candidates = new ArrayList<>();
        Optional.ofNullable(System.getenv("PIER_PYTHON")).ifPresent(candidates::add);
        candidates.addAll(List.of("python3", "/usr/bin/python3"));
        for (String candidate : candidates) {
            try {
                Process probe = new ProcessBuilder(candidate, "-c", "import twisted")
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (probe.waitFor(20, TimeUnit.SECONDS) && probe.exitValue() == 0) {
                    return Optional.of(candidate);
                }
                probe.destroyForcibly();
            } catch (IOException notThere) {
                // try the next one
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** Skips the calling test, loudly, unless a Python with Twisted is installed. */
    static String python() {
        if (PYTHON.isEmpty()) {
            System.err.println("SKIPPED: no python3 with Twisted (tried $PIER_PYTHON, python3, /usr/bin/python3): "
                    + "run scripts/install-test-peers (Debian: apt-get install python3-twisted) to run the "
                    + "interoperability tests");
        }
        assumeTrue(PYTHON.isPresent(), "no python3 with Twisted: run scripts/install-test-peers");
        return PYTHON.get();
    }

    /** Skips the calling test, loudly, unless {@code nc} is installed. */
    static void requireNc() {
        boolean found = Arrays.stream(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, "nc")));
        if (!found) {
            System.err.println("SKIPPED: nc is not installed: run scripts/install-test-peers "
                    + "(Debian: apt-get install netcat-openbsd)");
        }
        assumeTrue(found, "nc is not installed: run scripts/install-test-peers");
    }

    /** A Python poetry or transform server from src/test/python, listening on a free port of 127.0.0.1. */
    static Server pythonServer(String script, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(python(), SCRIPTS.resolve(script).toString()));
        command.addAll(List.of(args));
        return new Server(new ProcessBuilder(command).redirectErrorStream(true).start());
    }

    /** Runs a client program to its end: its exit status, stdout bytes and stderr text. */
    static Result run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        CompletableFuture<byte[]> out = readAll(process.getInputStream());
        CompletableFuture<byte[]> err = readAll(process.getErrorStream());
        if (!process.waitFor(RUN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new TimeoutException(command + " still running after " + RUN_TIMEOUT);
        }
        return new Result(process.exitValue(), out.get(RUN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS),
                new String(err.get(RUN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS), StandardCharsets.UTF_8));
    }

    static Result runPython(String script, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(python(), SCRIPTS.resolve(script).toString()));
        command.addAll(List.of(args));
        return run(command);
    }

    static CompletableFuture<byte[]> readAll(InputStream stream) {
        CompletableFuture<byte[]> all = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (stream) {
                all.complete(stream.readAllBytes());
            } catch (IOException e) {
                all.completeExceptionally(e);
            }
        });
        return all;
    }

    /** How a client program ended. */
    record Result(int status, byte[] stdout, String stderr) {
        String stdoutText() {
            return new String(stdout, StandardCharsets.UTF_8);
        }
    }

    /** The poems printed by get_poetry.py: each followed by a line {@code --- END index length}. */
    static List<byte[]> splitPythonOutput(byte[] output) {
        List<byte[]> poems = new ArrayList<>();
        int start = 0;
        while (start < output.length) {
            String rest = new String(output, start, output.length - start, StandardCharsets.ISO_8859_1);
            int marker = rest.indexOf("--- END " + (poems.size() + 1) + " ");
            if (marker < 0) {
                throw new AssertionError("no end marker for poem " + (poems.size() + 1) + " in: " + rest);
            }
            int lineEnd = rest.indexOf('\n', marker);
            int length = Integer.parseInt(rest.substring(marker, lineEnd).split(" ")[3]);
            if (length != marker) {
                throw new AssertionError("poem " + (poems.size() + 1) + " is " + marker + " bytes, marker says "
                        + length);
            }
            poems.add(Arrays.copyOfRange(output, start, start + marker));
            start += lineEnd + 1;
        }
        return poems;
    }

    /** A Python server that printed {@code PORT n} when listening; closing kills it. */
    static final class Server implements AutoCloseable {
        private final Process process;
        private final int port;

        Server(Process process) throws IOException {
            this.process = process;
            String line = readLine(process.getInputStream());
            if (line == null || !line.startsWith("PORT ")) {
                process.destroyForcibly();
                throw new IOException("the Python server did not start: " + line
                        + new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            }
            port = Integer.parseInt(line.substring(5).strip());
        }

        int port() {
            return port;
        }

        @Override
        public void close() {
            process.destroyForcibly();
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private static String readLine(InputStream in) throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            for (int b; (b = in.read()) != '\n'; ) {
                if (b < 0) {
                    return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
                }
                line.write(b);
            }
            return line.toString(StandardCharsets.UTF_8);
        }
    }
}
