package dev.pier.protocols;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pier.testing.FakeTransport;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class IntNStringReceiverTest {

    interface Recording {
        List<String> strings();

        List<Long> exceeded();
    }

    static final class Int8 extends Int8StringReceiver implements Recording {
        final List<String> strings = new ArrayList<>();
        final List<Long> exceeded = new ArrayList<>();

        Int8 max(int max) {
            setMaxLength(max);
            return this;
        }

        @Override
        protected void stringReceived(ByteBuffer data) {
            strings.add(ISO_8859_1.decode(data).toString());   // one char per byte, whatever the byte
        }

        @Override
        protected void lengthLimitExceeded(long length) {
            exceeded.add(length);
        }

        public List<String> strings() {
            return strings;
        }

        public List<Long> exceeded() {
            return exceeded;
        }
    }

    static final class Int16 extends Int16StringReceiver implements Recording {
        final List<String> strings = new ArrayList<>();
        final List<Long> exceeded = new ArrayList<>();

        Int16 max(int max) {
            setMaxLength(max);
            return this;
        }

        @Override
        protected void stringReceived(ByteBuffer data) {
            strings.add(ISO_8859_1.decode(data).toString());   // one char per byte, whatever the byte
        }

        @Override
        protected void lengthLimitExceeded(long length) {
            exceeded.add(length);
        }

        public List<String> strings() {
            return strings;
        }

        public List<Long> exceeded() {
            return exceeded;
        }
    }

    static final class Int32 extends Int32StringReceiver implements Recording {
        final List<String> strings = new ArrayList<>();
        final List<Long> exceeded = new ArrayList<>();

        Int32 max(int max) {
            setMaxLength(max);
            return this;
        }

        @Override
        protected void stringReceived(ByteBuffer data) {
            strings.add(ISO_8859_1.decode(data).toString());   // one char per byte, whatever the byte
        }

        @Override
        protected void lengthLimitExceeded(long length) {
            exceeded.add(length);
        }

        public List<String> strings() {
            return strings;
        }

        public List<Long> exceeded() {
            return exceeded;
        }
    }

    private static byte[] frames(int prefixLength, String... strings) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String string : strings) {
            int length = string.length();
            for (int i = prefixLength - 1; i >= 0; i--) {
                out.write(length >>> (8 * i));
            }
            out.writeBytes(string.getBytes(US_ASCII));
        }
        return out.toByteArray();
    }

    private static <P extends IntNStringReceiver & Recording> void assertSplitsDeliver(Supplier<P> maker, int prefix) {
        byte[] input = frames(prefix, "hello", "", "a longer string", "z");
        for (byte[][] packets : Splits.of(input)) {
            P protocol = maker.get();
            FakeTransport transport = FakeTransport.connect(protocol);
            transport.receive(packets);
            assertEquals(List.of("hello", "", "a longer string", "z"), protocol.strings(), Splits.describe(packets));
            assertFalse(transport.isDisconnecting());
        }
    }

    @Test
    void stringsArriveHoweverThePrefixAndBodyAreSplit() {
        assertSplitsDeliver(Int8::new, 1);
        assertSplitsDeliver(Int16::new, 2);
        assertSplitsDeliver(Int32::new, 4);
    }

    @Test
    void sendStringWritesABigEndianPrefix() {
        Int16 int16 = new Int16();
        FakeTransport transport = FakeTransport.connect(int16);
        int16.sendString(new byte[300]);
        byte[] written = transport.written();
        assertEquals(302, written.length);
        assertEquals(1, written[0]);
        assertEquals(44, written[1]);

        Int32 int32 = new Int32();
        FakeTransport transport32 = FakeTransport.connect(int32);
        int32.sendString("abc".getBytes(US_ASCII));
        assertArrayEquals(new byte[] {0, 0, 0, 3, 'a', 'b', 'c'}, transport32.written());
    }

    @Test
    void sendStringRejectsWhatThePrefixCannotHold() {
        Int8 int8 = new Int8();
        FakeTransport.connect(int8);
        int8.sendString(new byte[255]);
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> int8.sendString(new byte[256]));
        assertEquals("string of 256 bytes is too long for a 8-bit length prefix (at most 255)", error.getMessage());

        Int16 int16 = new Int16();
        FakeTransport.connect(int16);
        assertThrows(IllegalArgumentException.class, () -> int16.sendString(new byte[65536]));
    }

    @Test
    void aLengthOverTheLimitCallsTheHookThenClosesHoweverSplit() {
        byte[] input = frames(4, "ok", "too long!", "never");
        for (byte[][] packets : Splits.of(input)) {
            Int32 protocol = new Int32().max(5);
            FakeTransport transport = FakeTransport.connect(protocol);
            transport.receive(packets);
            assertEquals(List.of("ok"), protocol.strings, Splits.describe(packets));
            assertEquals(List.of(9L), protocol.exceeded);
            assertTrue(transport.isDisconnecting());
        }
    }

    @Test
    void anUnsigned32BitLengthIsNeverNegative() {
        Int32 protocol = new Int32();
        FakeTransport transport = FakeTransport.connect(protocol);
        transport.receive(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff});
        assertEquals(List.of(4294967295L), protocol.exceeded);
        assertTrue(transport.isDisconnecting());
    }

    @Test
    void theDefaultMaximumIsTwisted() {
        assertEquals(99999, new Int32().maxLength());
        Int32 protocol = new Int32();
        FakeTransport transport = FakeTransport.connect(protocol);
        String big = "b".repeat(99999);
        transport.receive(frames(4, big));
        assertEquals(List.of(big), protocol.strings);
        transport.receive(frames(4, big + "!"));
        assertEquals(List.of(100000L), protocol.exceeded);
    }
}
