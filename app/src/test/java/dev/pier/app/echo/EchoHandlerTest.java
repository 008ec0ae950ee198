package dev.pier.app.echo;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pier.testing.DatagramHandlerHarness;
import dev.pier.testing.StreamHandlerHarness;
import java.net.InetSocketAddress;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The blocking model's echo handlers, run in memory. */
@Timeout(10)
class EchoHandlerTest {

    @Test
    void aStreamIsEchoedByteForByteUntilTheClientCloses() throws Exception {
        byte[] large = new byte[300_000];   // more than one transfer buffer, binary
        new Random(7).nextBytes(large);
        StreamHandlerHarness connection = new StreamHandlerHarness().send("hello\n").send(large);
        connection.run(EchoHandler::new);
        byte[] expected = new byte[6 + large.length];
        System.arraycopy("hello\n".getBytes(UTF_8), 0, expected, 0, 6);
        System.arraycopy(large, 0, expected, 6, large.length);
        assertArrayEquals(expected, connection.written());
    }

    @Test
    void eachDatagramIsAnsweredWithItselfEvenAnEmptyOne() throws Exception {
        var sender = new InetSocketAddress("127.0.0.1", 40000);
        DatagramHandlerHarness port = new DatagramHandlerHarness().clientAddress(sender);
        port.receive("ping".getBytes(UTF_8), DatagramEchoHandler::new).receive(new byte[0], DatagramEchoHandler::new);
        assertEquals(2, port.replies().size());
        assertArrayEquals("ping".getBytes(UTF_8), port.replies().get(0).data());
        assertArrayEquals(new byte[0], port.replies().get(1).data());
        assertEquals(sender, port.replies().get(1).target());
    }
}
