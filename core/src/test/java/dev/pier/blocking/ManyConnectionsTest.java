package dev.pier.blocking;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Ten thousand connections handled at once on virtual threads, by a server in a JVM with a 256 MiB heap. */
class ManyConnectionsTest {

    private static final int CONNECTIONS = 10_000;
    private static final String HEAP = "-Xmx256m";

    @Test
    @Timeout(60)
    void tenThousandConcurrentConnectionsOnVirtualThreadsInASmallHeap() throws Exception {
        long limit = openFileLimit();
        assumeTrue(limit >= CONNECTIONS + 1_000, "needs an open-file limit of at least " + (CONNECTIONS + 1_000)
                + " (ulimit -n), this process has " + limit);
        Process child = new ProcessBuilder(javaExecutable(), HEAP, "-XX:+UseSerialGC", "-Xshare:auto",
                "-cp", classPath(), ManyConnectionsServer.class.getName(), String.valueOf(CONNECTIONS))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        List<SocketChannel> clients = new ArrayList<>(CONNECTIONS);
        try (var output = new BufferedReader(new InputStreamReader(child.getInputStream(), UTF_8))) {
            String first = output.readLine();
            assertTrue(first != null && first.startsWith("port "), "the server did not start: " + first);
            var server = new InetSocketAddress("127.0.0.1", Integer.parseInt(first.substring(5)));
            for (int i = 0; i < CONNECTIONS; i++) {
                SocketChannel client = SocketChannel.open(server);
                clients.add(client);
                client.write(ByteBuffer.wrap(("client " + i + "\n").getBytes(UTF_8)));
            }
            String peak = output.readLine();
            assertTrue(peak != null && peak.startsWith("peak heap used "), "no peak report: " + peak);
            System.out.println(CONNECTIONS + " concurrent connections, server " + peak + " (" + HEAP + ")");
            for (int i = 0; i < CONNECTIONS; i++) {
                assertEquals("client " + i, readLine(clients.get(i)));
            }
            assertEquals("done", output.readLine());
            assertTrue(child.waitFor(20, TimeUnit.SECONDS));
            assertEquals(0, child.exitValue());
        } finally {
            for (SocketChannel client : clients) {
                client.close();
            }
            child.destroyForcibly();
            child.waitFor();
        }
    }

    private static String readLine(SocketChannel channel) throws IOException {
        var line = new StringBuilder();
        ByteBuffer one = ByteBuffer.allocate(1);
        while (true) {
            one.clear();
            if (channel.read(one) < 0) {
                return line.toString();
            }
            char c = (char) one.get(0);
            if (c == '\n') {
                return line.toString();
            }
            line.append(c);
        }
    }

    private static long openFileLimit() throws IOException {
        Path limits = Path.of("/proc/self/limits");
        if (!Files.isReadable(limits)) {
            return 0;
        }
        for (String line : Files.readAllLines(limits)) {
            if (line.startsWith("Max open files")) {
                String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
            }
        }
        return 0;
    }

    private static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The library's and the tests' compiled classes, run on the class path in the child. */
    private static String classPath() throws Exception {
        Path main = Path.of(BaseServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path tests = Path.of(ManyConnectionsServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        return main + java.io.File.pathSeparator + tests;
    }
}
