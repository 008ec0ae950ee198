package dev.pier.unix;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hands a socket to a child JVM, as a forking server does, and checks the child can serve through it. The child
 * runs on the class path, so it also shows the flags a class-path application needs.
 */
@Timeout(30)
class InheritedChannelTest {

    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private Path dir;
    private ServerSocketChannel control;
    private Process child;

    @BeforeEach
    void startChild() throws IOException {
        dir = Files.createTempDirectory("pier");
        Path controlPath = dir.resolve("control");
        control = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(controlPath));
        var flags = List.of("--enable-native-access=ALL-UNNAMED", "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED");
        child = ChildJvm.of(InheritedChannelChild.class, flags, controlPath.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("child.log").toFile())
                .start();
    }

    @AfterEach
    void stopChild() throws IOException, InterruptedException {
        child.destroyForcibly().waitFor();
        control.close();
        for (Path file : List.of(dir.resolve("control"), dir.resolve("child.log"), dir)) {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void aTcpConnectionBecomesTheChildsSocketChannel() throws Exception {
        try (var server = ServerSocketChannel.open().bind(LOOPBACK);
             var client = SocketChannel.open(server.getLocalAddress())) {
            List<String> report = handToChild(server.accept());

            assertEquals(List.of("SocketChannel " + client.getLocalAddress(), "second adoption refused"), report);
            assertEquals("HELLO\n", exchange(client, "hello\n"));
        }
        assertChildSucceeded();
    }

    @Test
    void aUnixStreamConnectionBecomesTheChildsSocketChannel() throws Exception {
        try (var pair = UnixStreamPair.open()) {
            List<String> report = handToChild(pair.server());

            assertEquals("SocketChannel " + pair.client().getLocalAddress(), report.getFirst());
            assertEquals("HELLO\n", exchange(pair.client(), "hello\n"));
        }
        assertChildSucceeded();
    }

    @Test
    void aUdpSocketBecomesTheChildsDatagramChannel() throws Exception {
        try (var client = DatagramChannel.open().bind(LOOPBACK)) {
            var passed = DatagramChannel.open().bind(LOOPBACK);
            var address = passed.getLocalAddress();
            List<String> report = handToChild(passed);

            assertEquals("DatagramChannel " + address, report.getFirst());
            client.send(UTF_8.encode("hello"), address);
            ByteBuffer reply = ByteBuffer.allocate(100);
            assertEquals(address, client.receive(reply));
            assertEquals("HELLO", UTF_8.decode(reply.flip()).toString());
        }
        assertChildSucceeded();
    }

    /** Sends the channel's descriptor to the child, closes our copy, and returns the child's two report lines. */
    private List<String> handToChild(NetworkChannel channel) throws IOException {
        try (channel; SocketChannel toChild = control.accept()) {
            Descriptors.sendDescriptor(toChild, Descriptors.of(channel), ByteBuffer.wrap(new byte[] {1}));
            ByteBuffer report = ByteBuffer.allocate(1000);
            while (UTF_8.decode(report.duplicate().flip()).toString().lines().count() < 2) {
                if (toChild.read(report) < 0) {
                    throw new AssertionError("the child ended without a report: " + childLog());
                }
            }
            return UTF_8.decode(report.flip()).toString().lines().toList();
        }
    }

    private static String exchange(SocketChannel client, String line) throws IOException {
        client.write(UTF_8.encode(line));
        ByteBuffer reply = ByteBuffer.allocate(100);
        while (client.read(reply) >= 0) {
            // the child closes the connection after its answer
        }
        return UTF_8.decode(reply.flip()).toString();
    }

    private void assertChildSucceeded() throws IOException, InterruptedException {
        assertTrue(child.waitFor(20, TimeUnit.SECONDS), "the child JVM did not exit");
        assertEquals(0, child.exitValue(), () -> "child failed: " + childLog());
    }

    private String childLog() {
        try {
            return Files.readString(dir.resolve("child.log"));
        } catch (IOException e) {
            return e.toString();
        }
    }
}
