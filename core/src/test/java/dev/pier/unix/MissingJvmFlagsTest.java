package dev.pier.unix;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pier.blocking.Concurrency;
import dev.pier.blocking.ServerOptions;
import dev.pier.blocking.StreamRequestHandler;
import dev.pier.blocking.TcpServer;
import java.io.IOException;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A JVM started without a flag Pier needs learns exactly which flag to add, before anything says it is ready. */
@Timeout(30)
class MissingJvmFlagsTest {

    private static final String EXPORT = "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED";
    private static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";
    private static final String WHERE = " (on the module path name dev.pier, on the class path ALL-UNNAMED)";

    /** Does what its argument names and prints the message of the failure, or "no failure". */
    public static final class Child {
        public static void main(String[] args) throws IOException {
            try {
                switch (args[0]) {
                    case "descriptor" -> {
                        try (var channel = DatagramChannel.open()) {
                            Descriptors.of(channel);
                        }
                    }
                    case "forking-server" -> {
                        var options = ServerOptions.defaults().withConcurrency(Concurrency.forking());
                        try (var server = new TcpServer("127.0.0.1", 0, Silent::new, options)) {
                            System.out.print("built " + server);
                        }
                    }
                    case "unix-datagram-socket" -> {
                        var directory = Files.createTempDirectory("pier-flags");
                        try (var socket = UnixDatagramSocket.bind(directory.resolve("socket"))) {
                            System.out.print("bound " + socket);
                        } finally {
                            Files.deleteIfExists(directory.resolve("socket"));
                            Files.delete(directory);
                        }
                    }
                    default -> throw new IllegalArgumentException(args[0]);
                }
                System.out.print("no failure");
            } catch (IllegalStateException expected) {
                System.out.print(expected.getMessage());
            }
        }
    }

    static final class Silent extends StreamRequestHandler {
        @Override
        protected void handle() {}
    }

    @Test
    void readingADescriptorNamesTheExport() throws Exception {
        assertEquals("reading a channel's descriptor needs the JVM flag " + EXPORT + WHERE,
                run(List.of(NATIVE_ACCESS), "descriptor"));
    }

    @Test
    void aForkingServerWithoutTheExportIsNotBuilt() throws Exception {
        assertEquals("a forking server (Concurrency.forking()) needs the JVM flag " + EXPORT + WHERE,
                run(List.of(NATIVE_ACCESS), "forking-server"));
    }

    @Test
    void aForkingServerDeniedNativeAccessIsNotBuilt() throws Exception {
        assertEquals("a forking server (Concurrency.forking()) needs the JVM flag " + NATIVE_ACCESS + WHERE,
                run(List.of(EXPORT, "--illegal-native-access=deny"), "forking-server"));
    }

    @Test
    void aUnixDatagramSocketDeniedNativeAccessIsNotBound() throws Exception {
        assertEquals("calling the C library (dev.pier.unix) needs the JVM flag " + NATIVE_ACCESS + WHERE,
                run(List.of(EXPORT, "--illegal-native-access=deny"), "unix-datagram-socket"));
    }

    private static String run(List<String> flags, String what) throws Exception {
        Process child = ChildJvm.of(Child.class, flags, what)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            child.waitFor(20, TimeUnit.SECONDS);
            return output;
        } finally {
            child.destroyForcibly().waitFor();
        }
    }
}
