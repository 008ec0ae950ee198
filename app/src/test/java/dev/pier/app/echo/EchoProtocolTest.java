package dev.pier.app.echo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pier.testing.FakeTransport;
import org.junit.jupiter.api.Test;

class EchoProtocolTest {

    @Test
    void writesBackWhatArrives() {
        FakeTransport transport = FakeTransport.connect(new EchoProtocol());
        transport.receive("hello ", "world\n");
        assertEquals("hello world\n", transport.writtenString());
    }

    @Test
    void stopsReadingWhileThePeerIsNotReadingItsEcho() {
        FakeTransport transport = new FakeTransport().setAutoFlush(false).setWaterMarks(4, 8);
        transport.makeConnection(new EchoProtocol());

        transport.receive("0123456789");
        assertTrue(transport.isReadingPaused(), "paused with 10 unsent bytes over a high-water mark of 8");

        transport.flush();
        assertFalse(transport.isReadingPaused(), "resumed once the echo was sent");
        assertEquals("0123456789", transport.writtenString());
    }
}
