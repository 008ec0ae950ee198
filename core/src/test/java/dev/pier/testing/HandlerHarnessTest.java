package dev.pier.testing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pier.blocking.DatagramRequestHandler;
import dev.pier.blocking.StreamRequestHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Blocking handlers run in memory: the stream and datagram harnesses. */
@Timeout(10)
class HandlerHarnessTest {

    /** Answers each line in upper case, with the client's address first; reads time out after a second. */
    static final class Shout extends StreamRequestHandler {
        @Override
        protected Duration timeout() {
            return Duration.ofSeconds(1);
        }

        @Override
        protected boolean noDelay() {
            return true;
        }

        @Override
        protected void handle() throws IOException {
            out().write((clientAddress() + "\n").getBytes(UTF_8));
            for (String line; (line = readLine()) != null; ) {
                out().write((line.toUpperCase(Locale.ROOT) + "\n").getBytes(UTF_8));
            }
        }
    }

    @Test
    void aStreamHandlerReadsTheClientsBytesAndItsWritesAreRecorded() throws Exception {
        StreamHandlerHarness connection = new StreamHandlerHarness()
                .clientAddress(new InetSocketAddress("192.0.2.7", 4000))
                .send("hello\r\n").send("world");
        connection.run(Shout::new);
        assertEquals("/192.0.2.7:4000\nHELLO\nWORLD\n", connection.writtenString());
        assertEquals(true, connection.option(StandardSocketOptions.TCP_NODELAY));
        assertThrows(IllegalStateException.class, () -> connection.run(Shout::new), "runs once");
    }

    @Test
    void aClientThatLeavesEarlyFailsTheWriteAfterWhatItRead() {
        StreamHandlerHarness connection = new StreamHandlerHarness().send("a\nb\n").clientReadsAtMost(29);
        IOException failure = assertThrows(IOException.class, () -> connection.run(Shout::new));
        assertTrue(failure.getMessage().contains("reset"), failure.getMessage());
        assertEquals("localhost/127.0.0.1:54321\nA\nB", connection.writtenString());
    }

    @Test
    void aDatagramHandlerRepliesToItsSender() throws Exception {
        DatagramHandlerHarness port = new DatagramHandlerHarness();
        port.receive("ping".getBytes(UTF_8), () -> new DatagramRequestHandler() {
            @Override
            protected void handle() throws IOException {
                out().write(new String(in().readAllBytes(), UTF_8).toUpperCase(Locale.ROOT).getBytes(UTF_8));
            }
        });
        var sender = new InetSocketAddress("127.0.0.1", 54321);
        assertEquals(1, port.replies().size());
        assertArrayEquals("PING".getBytes(UTF_8), port.replies().getFirst().data());
        assertEquals(sender, port.replies().getFirst().target());
    }

    @Test
    void aDatagramHandlerThatFailsStillSendsItsReply() {
        DatagramHandlerHarness port = new DatagramHandlerHarness();
        assertThrows(IllegalStateException.class, () -> port.receive(new byte[0], () -> new DatagramRequestHandler() {
            @Override
            protected void handle() throws IOException {
                out().write('!');
                throw new IllegalStateException("broken");
            }
        }));
        assertArrayEquals(new byte[] {'!'}, port.replies().getFirst().data());
    }
}
