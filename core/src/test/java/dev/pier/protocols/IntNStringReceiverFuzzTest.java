package dev.pier.protocols;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.pier.testing.FakeTransport;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Timeout;

/**
 * Length-prefixed strings from any input, however it is cut into packets, are those a plain reference decoder finds
 * in the whole input, and a length over the maximum is reported once and closes the connection. Settings bytes: the
 * maximum length (0 to 255), then the seed of the packet sizes.
 */
@Timeout(10)
class IntNStringReceiverFuzzTest {

    /** What a receiver reported; every prefix width records the same way. */
    private static final class Record {
        final List<String> strings = new ArrayList<>();
        final List<Long> exceeded = new ArrayList<>();

        void string(ByteBuffer data) {
            strings.add(ISO_8859_1.decode(data).toString());
        }
    }

    private static final class Int8 extends Int8StringReceiver {
        final Record record = new Record();

        Int8(int maxLength) {
            setMaxLength(maxLength);
        }

        @Override
        protected void stringReceived(ByteBuffer data) {
            record.string(data);
        }

        @Override
        protected void lengthLimitExceeded(long length) {
            record.exceeded.add(length);
        }
    }

    private static final class Int16 extends Int16StringReceiver {
        final Record record = new Record();

        Int16(int maxLength) {
            setMaxLength(maxLength);
        }

        @Override
        protected void stringReceived(ByteBuffer data) {
            record.string(data);
        }

        @Override
        protected void lengthLimitExceeded(long length) {
            record.exceeded.add(length);
        }
    }

    private static final class Int32 extends Int32StringReceiver {
        final Record record = new Record();

        Int32(int maxLength) {
            setMaxLength(maxLength);
        }

        @Override
        protected void stringReceived(ByteBuffer data) {
            record.string(data);
        }

        @Override
        protected void lengthLimitExceeded(long length) {
            record.exceeded.add(length);
        }
    }

    private record Outcome(List<String> strings, List<Long> exceeded, boolean closed) {}

    /** The strings in {@code sent} up to the first length over the maximum (reported) or the end. */
    private static Outcome reference(byte[] sent, int prefixLength, int maxLength) {
        List<String> strings = new ArrayList<>();
        int at = 0;
        while (sent.length - at >= prefixLength) {
            long length = 0;
            for (int i = 0; i < prefixLength; i++) {
                length = length << 8 | (sent[at + i] & 0xff);
            }
            if (length > maxLength) {
                return new Outcome(strings, List.of(length), true);
            }
            if (sent.length - at - prefixLength < length) {
                break;
            }
            strings.add(new String(sent, at + prefixLength, (int) length, ISO_8859_1));
            at += prefixLength + (int) length;
        }
        return new Outcome(strings, List.of(), false);
    }

    private static <P extends IntNStringReceiver> Outcome run(P protocol, Function<P, Record> record,
            byte[][] packets) {
        FakeTransport transport = FakeTransport.connect(protocol);
        FuzzInput.receive(transport, protocol.transport(), packets);
        Record recorded = record.apply(protocol);
        for (String string : recorded.strings) {
            assertTrue(string.length() <= protocol.maxLength(), "a string over the maximum was delivered");
        }
        Outcome outcome = new Outcome(List.copyOf(recorded.strings), List.copyOf(recorded.exceeded),
                transport.isDisconnecting());
        if (outcome.closed()) {
            transport.receive(new byte[8]);
            assertEquals(outcome, new Outcome(recorded.strings, recorded.exceeded, true),
                    "input after the close is ignored");
        }
        return outcome;
    }

    private static <P extends IntNStringReceiver> void check(byte[] data, int prefixLength,
            Function<Integer, P> maker, Function<P, Record> record) {
        FuzzInput input = new FuzzInput(data, 2);
        int maxLength = input.setting(0);
        byte[] sent = input.sent();
        Outcome expected = reference(sent, prefixLength, maxLength);
        assertEquals(expected, run(maker.apply(maxLength), record, new byte[][] {sent}), "in one packet");
        assertEquals(expected, run(maker.apply(maxLength), record, input.packets(input.setting(1))), "in packets");
    }

    @FuzzTest
    void int8Strings(byte[] data) {
        check(data, 1, Int8::new, protocol -> protocol.record);
    }

    @FuzzTest
    void int16Strings(byte[] data) {
        check(data, 2, Int16::new, protocol -> protocol.record);
    }

    @FuzzTest
    void int32Strings(byte[] data) {
        check(data, 4, Int32::new, protocol -> protocol.record);
    }
}
