package dev.pier.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where the peers' programs are: this JVM and class path for the Java servers, the compiled C server, the Python
 * with (ideally) Twisted, the Python peers' script, the poem the poetry servers send, and Pier's own checkout (its
 * launcher and the JVM options the launcher runs Pier with), and the private key and certificate every TLS peer
 * presents (made once per run by {@code pier tls self-signed}).
 */
record Tools(Path java, String classPath, Path cServer, Path python, Path pythonPeers, Path poem, Path logs,
             Path project, Path tlsKey, Path tlsCertificate) {

    /**
     * Flags for every Java peer: native access for Netty's epoll and Pier's FFM parts, Pier's export (named for
     * the class path), and the sun.misc.Unsafe memory access Netty's buffers use, as Netty's users run it.
     */
    static final List<String> JVM_FLAGS = List.of(
            "--enable-native-access=ALL-UNNAMED",
            "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
            "--sun-misc-unsafe-memory-access=allow");

    static Tools ofThisJvm(Path cServer, Path python, Path pythonPeers, Path poem, Path logs, Path project,
                           Path tlsDirectory) {
        return new Tools(Path.of(System.getProperty("java.home"), "bin", "java"),
                System.getProperty("java.class.path"), cServer, python, pythonPeers, poem, logs, project,
                tlsDirectory.resolve("key.pem"), tlsDirectory.resolve("cert.pem"));
    }

    /** The {@code pier} launcher, which users start Pier's applications with. */
    Path launcher() {
        return project.resolve("pier");
    }

    /** The JVM options file the launcher runs Pier with, as a java {@code @argument}. */
    String pierJvmOptions() {
        return "@" + project.resolve("app/jvm.options");
    }

    List<String> javaCommand(List<String> extraJvmOptions, String mainClass, String... arguments) {
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(JVM_FLAGS);
        command.addAll(extraJvmOptions);
        command.addAll(List.of("-cp", classPath, mainClass));
        command.addAll(List.of(arguments));
        return command;
    }

    /** Why a Java peer cannot run, if its main class is not on the class path. */
    static Optional<String> missingClass(String className) {
        try {
            Class.forName(className, false, Tools.class.getClassLoader());
            return Optional.empty();
        } catch (ClassNotFoundException e) {
            return Optional.of(className + " is not built");
        }
    }

    Optional<String> missingFile(Path file, String what) {
        return Files.isRegularFile(file)
                ? Optional.empty()
                : Optional.of(what + " not found at " + file);
    }

    /** Why Python's twisted cannot be imported, if it cannot. */
    Optional<String> missingTwisted() {
        try {
            Process check = new ProcessBuilder(python.toString(), "-c", "import twisted")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return check.waitFor() == 0
                    ? Optional.empty()
                    : Optional.of("Twisted is not installed for " + python + " (apt-get install python3-twisted)");
        } catch (java.io.IOException e) {
            return Optional.of(python + " cannot run: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted while checking for Twisted");
        }
    }
}
