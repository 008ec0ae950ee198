package dev.pier.protocols;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pier.testing.FakeTransport;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class NetstringReceiverTest {

    static final class Strings extends NetstringReceiver {
        final List<String> strings = new ArrayList<>();
        final List<String> problems = new ArrayList<>();

        Strings max(int max) {
            setMaxLength(max);
            return this;
        }

        @Override
        protected void stringReceived(ByteBuffer data) {
            strings.add(US_ASCII.decode(data).toString());
        }

        @Override
        protected void malformedNetstring(String problem) {
            problems.add(problem);
        }
    }

    @Test
    void stringsArriveHoweverThePacketsAreSplit() {
        byte[] input = "5:hello,0:,12:a,b:c 1:2:3,,3:xyz".getBytes(US_ASCII);
        for (byte[][] packets : Splits.of(input)) {
            Strings protocol = new Strings();
            FakeTransport transport = FakeTransport.connect(protocol);
            transport.receive(packets);
            assertEquals(List.of("hello", "", "a,b:c 1:2:3,"), protocol.strings, Splits.describe(packets));
            assertFalse(transport.isDisconnecting());
        }
    }

    @Test
    void twoNetstringsInOnePacketAreBothDelivered() {
        Strings protocol = new Strings();
        FakeTransport.connect(protocol).receive("27:cummingsify.HERE IS MY POEM,3:abc,");
        assertEquals(List.of("cummingsify.HERE IS MY POEM", "abc"), protocol.strings);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "x:abc,          | contains 'x'",
        "1x:a,           | contains 'x'",
        "-1:a,           | contains '-'",
        "' 3:abc,'       | contains ' '",
        "05:hello,       | leading zero",
        "00:,            | leading zero",
        ":abc,           | is empty",
        "3:abcX          | not followed by ','",
        "0:;             | not followed by ','",
        "100000:         | over the maximum of 99999",
        "999999          | more than 5 digits",
        "12345678901234: | more than 5 digits",
        "2:ok,3:abc;     | not followed by ','",
    })
    void malformedInputClosesTheConnectionHoweverSplit(String input, String problem) {
        for (byte[][] packets : Splits.of(input.getBytes(US_ASCII))) {
            Strings protocol = new Strings();
            FakeTransport transport = FakeTransport.connect(protocol);
            transport.receive(packets);
            assertTrue(transport.isDisconnecting(), Splits.describe(packets));
            assertFalse(transport.isAborted());
            assertEquals(1, protocol.problems.size(), Splits.describe(packets));
            assertTrue(protocol.problems.getFirst().contains(problem), protocol.problems.getFirst());
            assertEquals(input.startsWith("2:ok,") ? List.of("ok") : List.of(), protocol.strings);
            transport.receive("3:abc,");
            assertEquals(1, protocol.problems.size(), "input after the error is ignored");
        }
    }

    @Test
    void theDefaultHookClosesWithoutThrowing() {
        NetstringReceiver protocol = new NetstringReceiver() {
            @Override
            protected void stringReceived(ByteBuffer data) {
                throw new AssertionError("nothing is valid here");
            }
        };
        FakeTransport transport = FakeTransport.connect(protocol);
        transport.receive("01:a,");
        assertTrue(transport.isDisconnecting());
    }

    @Test
    void theMaximumIsInclusiveAndConfigurable() {
        Strings protocol = new Strings().max(3);
        FakeTransport transport = FakeTransport.connect(protocol);
        transport.receive("3:abc,");
        assertEquals(List.of("abc"), protocol.strings);
        transport.receive("4:");
        assertTrue(transport.isDisconnecting());
        assertTrue(protocol.problems.getFirst().contains("4 is over the maximum of 3"));

        Strings large = new Strings();
        String payload = "x".repeat(99999);
        FakeTransport.connect(large).receive("99999:" + payload + ",");
        assertEquals(List.of(payload), large.strings);
    }

    @Test
    void sendStringFramesOneNetstring() {
        Strings protocol = new Strings();
        FakeTransport transport = FakeTransport.connect(protocol);
        protocol.sendString("here is my poem".getBytes(US_ASCII));
        protocol.sendString(new byte[0]);
        assertEquals("15:here is my poem,0:,", transport.writtenString(US_ASCII));
    }
}
