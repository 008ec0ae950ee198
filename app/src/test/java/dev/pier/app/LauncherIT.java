package dev.pier.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The {@code ./pier} launcher and the JDK search it shares with the test script. */
@Timeout(60)
class LauncherIT {

    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path directory;

    @Test
    void runsTheBuiltApplication() throws Exception {
        try (PierProcess pier = PierProcess.start(directory, "--version")) {
            assertEquals(0, pier.exitStatus(EXIT_TIMEOUT), () -> output(pier));
            assertTrue(pier.stdout().getFirst().matches("pier \\d+\\.\\d+\\.\\d+.*"), () -> output(pier));
        }
    }

    /**
     * Ctrl-C while the launcher trains its start-up cache (on a first start, or after a build) stops the training run
     * too: left behind, it served on a port of its own and held the build lock, so that every later start waited.
     */
    @Test
    void interruptedWhileTrainingItsStartUpCacheItLeavesNothingRunningAndTheNextStartGoesAhead() throws Exception {
        PierProcess.launcher();   // built and trained once for all tests; then this test takes the cache away
        Files.deleteIfExists(PierProcess.root().resolve("app/target/pier.aot"));
        try (PierProcess first = PierProcess.startInOwnGroup(directory, "--version")) {
            first.awaitStderrLine(line -> line.startsWith("pier: preparing the start-up cache"));
            first.interruptGroup();
            assertEquals(130, first.exitStatus(EXIT_TIMEOUT), () -> output(first));
        }
        assertEquals(List.of(), ProcessHandle.allProcesses()
                .filter(process -> process.info().commandLine().orElse("").contains("-XX:AOTCacheOutput="))
                .map(process -> process.info().commandLine().orElse("?")).toList(), "training runs left");
        try (PierProcess next = PierProcess.start(directory, "--version")) {
            assertEquals(0, next.exitStatus(EXIT_TIMEOUT), () -> output(next));
        }
    }

    @Test
    void refusesClearlyWithoutJdk25() throws Exception {
        Path tools = toolsWithOnly("bash", "dirname", "readlink", "sed");
        Path jdk17 = fakeJdk(directory.resolve("jvm/jdk-17"), 17);
        executable(tools.resolve("java"), "exec " + jdk17.resolve("bin/java") + " \"$@\"");
        try (PierProcess pier = PierProcess.run(directory, Map.of("JAVA_HOME", jdk17.toString(),
                "PATH", tools.toString(), "PIER_JVM_DIRS", directory.resolve("jvm").toString()),
                PierProcess.root().resolve("pier").toString(), "--version")) {
            assertEquals(1, pier.exitStatus(EXIT_TIMEOUT));
            assertEquals(List.of(), pier.stdout());
            assertTrue(pier.stderr().startsWith("pier: no JDK 25 or newer found"), () -> output(pier));
            assertEquals(1, pier.stderr().lines().count(), () -> output(pier));
        }
    }

    @Test
    void findsJdk25AmongTheInstalledJdksPassingOverARuntimeWithoutCompiler() throws Exception {
        Path jvms = Files.createDirectories(directory.resolve("jvm"));
        fakeJdk(jvms.resolve("jdk-17"), 17);
        String realJava = "exec " + Path.of(System.getProperty("java.home"), "bin", "java") + " \"$@\"";
        executable(Files.createDirectories(jvms.resolve("a-jre-25/bin")).resolve("java"), realJava);
        Path jdk25 = jvms.resolve("jdk-25");
        executable(Files.createDirectories(jdk25.resolve("bin")).resolve("java"), realJava);
        executable(jdk25.resolve("bin/javac"), "exit 0");
        Path tools = toolsWithOnly("bash", "dirname", "readlink", "sed");
        try (PierProcess search = PierProcess.run(directory, Map.of("PATH", tools.toString(),
                "PIER_JVM_DIRS", jvms.toString()), "/bin/bash", "-c",
                "unset JAVA_HOME; . \"$1\" && pier_find_java && echo \"$JAVA\"", "search",
                PierProcess.root().resolve("scripts/java-home.sh").toString())) {
            assertEquals(0, search.exitStatus(EXIT_TIMEOUT), () -> output(search));
            assertEquals(List.of(jdk25.resolve("bin/java").toString()), search.stdout());
        }
    }

    /** A directory holding the named programs and nothing else, to use as PATH. */
    private Path toolsWithOnly(String... programs) throws Exception {
        Path tools = Files.createDirectories(directory.resolve("bin"));
        for (String program : programs) {
            Path real = List.of(Path.of("/usr/bin", program), Path.of("/bin", program)).stream()
                    .filter(Files::isExecutable).findFirst().orElseThrow();
            executable(tools.resolve(program), "exec " + real + " \"$@\"");
        }
        return tools;
    }

    /** A JDK whose java reports {@code version}, as {@code -XshowSettings:properties -version} does. */
    private static Path fakeJdk(Path home, int version) throws Exception {
        executable(Files.createDirectories(home.resolve("bin")).resolve("java"),
                "echo '    java.specification.version = " + version + "' >&2");
        executable(home.resolve("bin/javac"), "exit 0");
        return home;
    }

    private static void executable(Path file, String script) throws Exception {
        Files.writeString(file, "#!/bin/sh\n" + script + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static String output(PierProcess process) {
        try {
            return "stdout: " + process.stdout() + "\nstderr: " + process.stderr();
        } catch (Exception e) {
            return "(output unavailable: " + e + ")";
        }
    }
}
