package dev.pier.app.poetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pier.testing.FakeTransport;
import dev.pier.testing.ManualClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class TransformServerTest {

    private final ManualClock clock = new ManualClock();
    private final FakeTransport client = FakeTransport.connect(new TransformServer().buildProtocol(null), clock);

    /** Lets the loop run what the server deferred (its close after answering). */
    private void settle() {
        clock.advance(Duration.ZERO);
    }

    @Test
    void cummingsifyRepliesWithOneNetstringThenCloses() {
        client.receive("27:cummingsify.HERE IS MY POEM,");
        settle();
        assertEquals("15:here is my poem,", client.writtenString());
        assertTrue(client.isDisconnecting());
    }

    @Test
    void aRequestSplitAnywhereIsAnsweredTheSame() {
        client.receive("2", "7:cummi", "ngsify.HERE IS MY P", "OEM", ",");
        settle();
        assertEquals("15:here is my poem,", client.writtenString());
    }

    @Test
    void twoRequestsInOnePacketAreBothAnswered() {
        client.receive("15:cummingsify.ABC,22:reverse-lines.one\ntwo\n,");
        settle();
        assertEquals("3:abc,8:two\none\n,", client.writtenString());
        assertTrue(client.isDisconnecting());
    }

    @Test
    void lengthIsCountedInBytesNotCharacters() {
        byte[] request = "18:cummingsify.ÉLAN!,".getBytes(StandardCharsets.UTF_8);
        client.receive(request);
        settle();
        assertEquals("6:élan!,", client.writtenString());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "13:shakespeare.X,",        // unknown transform
            "11:cummingsify,",          // no '.' between transform and poem
            "1x:cummingsify.ABC,",      // non-digit in the length
            ":cummingsify.ABC,",        // empty length
            "015:cummingsify.ABC,",     // leading zero
            "15:cummingsify.ABC;",      // missing comma
            "100000:",                  // over 99999 bytes
    })
    void aBadRequestIsAnsweredByClosingWithoutAReply(String request) {
        client.receive(request);
        settle();
        assertEquals("", client.writtenString());
        assertTrue(client.isDisconnecting());
    }

    @Test
    void aPoemThatIsNotUtf8IsRefusedWithoutAReply() {
        byte[] request = "15:cummingsify.A\u00ffC,".getBytes(StandardCharsets.ISO_8859_1);
        client.receive(request);
        settle();
        assertEquals(0, client.written().length);
        assertTrue(client.isDisconnecting());
    }

    @Test
    void nothingHappensUntilTheWholeRequestArrived() {
        client.receive("27:cummingsify.HERE IS");
        settle();
        assertEquals("", client.writtenString());
        assertFalse(client.isDisconnecting());
    }
}
