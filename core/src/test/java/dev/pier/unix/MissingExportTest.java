package dev.pier.unix;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A JVM started without {@code --add-exports} learns from the failure exactly which flag to add. */
@Timeout(30)
class MissingExportTest {

    /** Prints the message of the failure to read a channel's descriptor. */
    public static final class Child {
        public static void main(String[] args) throws IOException {
            try (var channel = DatagramChannel.open()) {
                System.out.print("descriptor " + Descriptors.of(channel));
            } catch (IllegalStateException expected) {
                System.out.print(expected.getMessage());
            }
        }
    }

    @Test
    void theMessageNamesTheFlagForTheClassPath() throws Exception {
        Process child = ChildJvm.of(Child.class, List.of("--enable-native-access=ALL-UNNAMED"))
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            child.waitFor(20, TimeUnit.SECONDS);

            assertEquals("reading a channel's descriptor needs the JVM flag"
                    + " --add-exports=java.base/sun.nio.ch=ALL-UNNAMED (on the module path name dev.pier, on the"
                    + " class path ALL-UNNAMED)", output);
        } finally {
            child.destroyForcibly().waitFor();
        }
    }
}
