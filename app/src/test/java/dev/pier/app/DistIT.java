package dev.pier.app;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release {@code scripts/dist} makes. Its tarball, unpacked anywhere, serves the poem through {@code bin/pier} on
 * the Java runtime it ships, with no JDK on PATH or in JAVA_HOME; its .deb holds the same tree under /opt/pier, with
 * /usr/bin/pier and the systemd units, whose service runs that launcher.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class DistIT {

    /** Linking a runtime and training its start-up cache on a loaded two-core machine. */
    private static final Duration DIST_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(30);
    private static final String DEB_ROOT = "/opt/pier";

    @TempDir
    static Path directory;

    private static Path tarball;
    private static Optional<Path> deb;

    @BeforeAll
    static void makeTheRelease() throws Exception {
        Path out = directory.resolve("out");
        // --no-build: the build running these tests has just packaged the application.
        Finished dist = finish(List.of(PierProcess.root().resolve("scripts/dist").toString(), "--no-build",
                "--out", out.toString()), DIST_TIMEOUT);
        boolean jdkCanLink = dist.lines().stream().noneMatch(line -> line.contains("cannot make a Java runtime"));
        if (!jdkCanLink) {
            System.err.println("SKIPPED DistIT: " + dist.lines());
        }
        assumeTrue(jdkCanLink, "the JDK cannot make a runtime with jlink");
        assertEquals(0, dist.status(), () -> "scripts/dist failed: " + String.join("\n", dist.lines()));
        tarball = onlyFile(out, ".tar.gz").orElseThrow(() -> new AssertionError("no tarball in " + out));
        deb = onlyFile(out, ".deb");
    }

    @Test
    void theTarballServesThePoemOnItsOwnRuntimeWithNoJdkOnTheMachine() throws Exception {
        Path unpacked = Files.createDirectories(directory.resolve("unpacked"));
        run(List.of("tar", "-xzf", tarball.toString(), "-C", unpacked.toString()), EXIT_TIMEOUT);
        Path release = onlyDirectory(unpacked);
        // Through a symlink, from another directory, as /usr/bin/pier runs it.
        Path command = Files.createSymbolicLink(Files.createDirectories(directory.resolve("links")).resolve("pier"),
                release.resolve("bin/pier"));
        Path elsewhere = Files.createDirectories(directory.resolve("elsewhere"));
        Map<String, String> noJdk = noJdkEnvironment();

        try (PierProcess version = PierProcess.run(elsewhere, withCacheRequired(noJdk), command.toString(),
                "--version")) {
            assertEquals(0, version.exitStatus(EXIT_TIMEOUT),
                    () -> "the start-up cache must work where the release was unpacked: " + output(version));
        }
        try (PierProcess server = PierProcess.run(elsewhere, noJdk, command.toString(), "poetry", "serve",
                "--port", "0")) {
            assertTrue(server.readyLine().matches("Serving ecstasy\\.txt on tcp:\\d+:interface=127\\.0\\.0\\.1"),
                    server.readyLine());
            try (Socket client = new Socket("127.0.0.1", server.port())) {
                assertArrayEquals(bundledPoem(), client.getInputStream().readAllBytes());
            }
            server.terminate();
            assertEquals(0, server.exitStatus(EXIT_TIMEOUT), () -> output(server));
        }
    }

    @Test
    void theDebInstallsTheSameTreeUnderOptWithTheCommandAndTheUnits() throws Exception {
        if (deb.isEmpty()) {
            System.err.println("SKIPPED DistIT .deb: scripts/dist made none, as dpkg-deb is missing (Debian's dpkg"
                    + " package has it)");
        }
        assumeTrue(deb.isPresent(), "no dpkg-deb");
        List<String> contents = run(List.of("dpkg-deb", "--contents", deb.get().toString()), EXIT_TIMEOUT);
        for (String path : List.of("/opt/pier/bin/pier", "/opt/pier/runtime/bin/java", "/opt/pier/lib/pier.aot",
                "/usr/bin/pier -> ../../opt/pier/bin/pier", "/usr/lib/systemd/system/pier-poetry.service",
                "/usr/lib/systemd/system/pier-poetry.socket")) {
            assertTrue(contents.stream().anyMatch(line -> line.endsWith(" ." + path) && line.contains(" root/root ")),
                    () -> path + " owned by root is not in the .deb: " + contents);
        }

        Path installed = directory.resolve("deb");
        run(List.of("dpkg-deb", "--extract", deb.get().toString(), installed.toString()), EXIT_TIMEOUT);
        String execStart = Files.readAllLines(installed.resolve("usr/lib/systemd/system/pier-poetry.service"))
                .stream().filter(line -> line.startsWith("ExecStart=")).findFirst().orElseThrow();
        assertTrue(execStart.startsWith("ExecStart=" + DEB_ROOT + "/bin/pier "), execStart);
        try (PierProcess version = PierProcess.run(directory, withCacheRequired(noJdkEnvironment()),
                installed.resolve("usr/bin/pier").toString(), "--version")) {
            assertEquals(0, version.exitStatus(EXIT_TIMEOUT), () -> output(version));
            assertTrue(version.stdout().getFirst().startsWith("pier "), () -> output(version));
        }
    }

    /**
     * PATH with the one program the launcher needs besides the shell (readlink), and JAVA_HOME an empty directory:
     * no {@code java} anywhere (/usr/bin/java would be a JDK 17).
     */
    private static Map<String, String> noJdkEnvironment() throws IOException {
        Path tools = directory.resolve("tools");
        if (!Files.isDirectory(tools)) {
            Files.createDirectories(tools);
            Path readlink = Stream.of("/usr/bin/readlink", "/bin/readlink").map(Path::of).filter(Files::isExecutable)
                    .findFirst().orElseThrow();
            Files.copy(readlink, tools.resolve("readlink"), StandardCopyOption.COPY_ATTRIBUTES);
        }
        Path emptyJavaHome = Files.createDirectories(directory.resolve("no-jdk"));
        String path = tools.toString();
        for (String entry : path.split(File.pathSeparator)) {
            assertFalse(Files.exists(Path.of(entry, "java")), "java on the test's PATH, in " + entry);
        }
        return Map.of("PATH", path, "JAVA_HOME", emptyJavaHome.toString());
    }

    /** {@code environment} where the JVM refuses to start if it cannot use the release's start-up cache. */
    private static Map<String, String> withCacheRequired(Map<String, String> environment) {
        var required = new HashMap<>(environment);
        required.put("PIER_JAVA_OPTS", "-XX:AOTMode=on");
        return required;
    }

    private static byte[] bundledPoem() throws IOException {
        try (InputStream poem = DistIT.class.getResourceAsStream("/dev/pier/app/poetry/ecstasy.txt")) {
            assertTrue(poem != null, "ecstasy.txt is not on the test's class path");
            return poem.readAllBytes();
        }
    }

    /** Runs {@code command} to its end, which must be a success, and returns its output lines. */
    private static List<String> run(List<String> command, Duration timeout) throws Exception {
        Finished finished = finish(command, timeout);
        assertEquals(0, finished.status(),
                () -> String.join(" ", command) + " failed: " + String.join("\n", finished.lines()));
        return finished.lines();
    }

    /** A command run to its end: its exit status and its output (stdout and stderr) in lines. */
    private record Finished(int status, List<String> lines) {}

    private static Finished finish(List<String> command, Duration timeout) throws Exception {
        Path output = Files.createTempFile(directory, "output", ".txt");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError(String.join(" ", command) + " still running after " + timeout + ": "
                    + Files.readString(output, UTF_8));
        }
        return new Finished(process.exitValue(), Files.readAllLines(output, UTF_8));
    }

    private static Optional<Path> onlyFile(Path directory, String suffix) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            List<Path> found = files.filter(file -> file.getFileName().toString().endsWith(suffix)).toList();
            assertTrue(found.size() <= 1, () -> "several " + suffix + " in " + directory + ": " + found);
            return found.stream().findFirst();
        }
    }

    private static Path onlyDirectory(Path directory) throws IOException {
        try (Stream<Path> entries = Files.list(directory)) {
            List<Path> found = entries.toList();
            assertEquals(1, found.size(), () -> "the tarball should hold one directory: " + found);
            return found.getFirst();
        }
    }

    private static String output(PierProcess pier) {
        try {
            return "stdout: " + pier.stdout() + "\nstderr: " + pier.stderr();
        } catch (Exception e) {
            return "(output unavailable: " + e + ")";
        }
    }
}
