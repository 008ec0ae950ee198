package dev.pier.blocking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which command line a forking server's children run. */
class ChildCommandTest {

    private static final Forking QUICK = Concurrency.forking()
            .withChildJvmOptions("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    @Test
    void byDefaultAChildReRunsTheProgramsCommandLineAfterTheQuickStartOptions() {
        List<String> program = List.of("-Xmx64m", "-cp", "app.jar", "app.Main", "--port", "8007");

        assertEquals(List.of("/jdk/bin/java", "-XX:+DisplayVMOutputToStderr", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-Xmx64m", "-cp", "app.jar", "app.Main", "--port", "8007"),
                ChildCommand.of(QUICK, "/jdk/bin/java", program));
    }

    @Test
    void theQuickStartCollectorGivesWayToACollectorTheProgramChose() {
        List<String> program = List.of("-XX:+UseG1GC", "-jar", "app.jar");

        assertEquals(List.of("/jdk/bin/java", "-XX:+DisplayVMOutputToStderr", "-XX:TieredStopAtLevel=1",
                "-XX:+UseG1GC", "-jar", "app.jar"), ChildCommand.of(QUICK, "/jdk/bin/java", program));
    }

    @Test
    void theQuickStartClassDataSharingGivesWayToTheProgramsAheadOfTimeCache() {
        // The JVM refuses to start with both -Xshare and -XX:AOTCache, as the launcher runs Pier.
        List<String> program = List.of("-XX:AOTCache=app.aot", "-jar", "app.jar");

        assertEquals(List.of("/jdk/bin/java", "-XX:+DisplayVMOutputToStderr", "-XX:TieredStopAtLevel=1",
                "-XX:AOTCache=app.aot", "-jar", "app.jar"),
                ChildCommand.of(Concurrency.forking().withChildJvmOptions("-Xshare:auto", "-XX:TieredStopAtLevel=1"),
                        "/jdk/bin/java", program));
    }

    @Test
    void aChildServingSeveralRequestsGetsTheJdksChannelPackageOpenedOnce() {
        List<String> program = List.of("-jar", "app.jar");
        Forking several = QUICK.withRequestsPerChild(5);
        String opens = "--add-opens=java.base/sun.nio.ch=" + AcceptedConnections.moduleName();

        assertEquals(List.of("/jdk/bin/java", "-XX:+DisplayVMOutputToStderr", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", opens, "-jar", "app.jar"),
                ChildCommand.of(several, "/jdk/bin/java", program));
        List<String> opened = List.of(opens, "-jar", "app.jar");
        assertEquals(List.of("/jdk/bin/java", "-XX:+DisplayVMOutputToStderr", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", opens, "-jar", "app.jar"),
                ChildCommand.of(several, "/jdk/bin/java", opened), "an ahead-of-time cache wants the same options");
    }

    @Test
    void withoutTheProgramsCommandLineAChildMainIsNeeded() {
        var failure = assertThrows(IllegalStateException.class, () -> ChildCommand.of(QUICK, "java", null));
        assertTrue(failure.getMessage().contains("withChildMain"), failure.getMessage());
    }

    @Test
    void aChildMainRunsOnTheClassPathMadeOfThisJvmsModulePathAndClassPath() {
        List<String> command = ChildCommand.of(QUICK.withChildMain(ForkedChildMain.class, "TCP", "ECHO"),
                "/jdk/bin/java", List.of("ignored.Main"));

        List<String> classPath = List.of(command.get(command.indexOf("-cp") + 1).split(File.pathSeparator));
        assertTrue(classPath.contains(System.getProperty("jdk.module.path")), "the library: " + classPath);
        assertEquals(List.of("/jdk/bin/java", "-XX:+DisplayVMOutputToStderr", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "--enable-native-access=ALL-UNNAMED",
                "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED", "-cp"), command.subList(0, 7));
        assertEquals(List.of(ForkedChildMain.class.getName(), "TCP", "ECHO"), command.subList(8, command.size()));
    }
}
