package dev.pier.unix;

import dev.pier.libc.LibC;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Starts a test's {@code main} class in a child JVM on the class path, with this library and the test classes. */
final class ChildJvm {

    private ChildJvm() {}

    /** A process builder for {@code java <flags> -cp <library:tests> <main> <args>}, quick to start. */
    static ProcessBuilder of(Class<?> main, List<String> flags, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-XX:TieredStopAtLevel=1", "-Xshare:auto"));
        command.addAll(flags);
        command.addAll(List.of("-cp", location(LibC.class) + ":" + location(main), main.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command);
    }

    private static String location(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
