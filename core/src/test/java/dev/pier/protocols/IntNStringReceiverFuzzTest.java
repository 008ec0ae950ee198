package dev.pier.protocols;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.pier.protocols.IntNStringReceiverTest.Int16;
import dev.pier.protocols.IntNStringReceiverTest.Int32;
import dev.pier.protocols.IntNStringReceiverTest.Int8;
import dev.pier.protocols.IntNStringReceiverTest.Recording;
import dev.pier.testing.FakeTransport;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Timeout;

/**
 * Length-prefixed strings from any input, however it is cut into packets, are those a plain reference decoder finds
 * in the whole input, and a length over the maximum is reported once and closes the connection. Settings bytes: the
 * maximum length (0 to 255), then the seed of the packet sizes.
 */
@Timeout(10)
class IntNStringReceiverFuzzTest {

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

    private static <P extends IntNStringReceiver & Recording> Outcome run(P protocol, byte[][] packets) {
        FakeTransport transport = FakeTransport.connect(protocol);
        FuzzInput.receive(transport, protocol.transport(), packets);
        for (String string : protocol.strings()) {
            assertTrue(string.length() <= protocol.maxLength(), "a string over the maximum was delivered");
        }
        Outcome outcome = new Outcome(List.copyOf(protocol.strings()), List.copyOf(protocol.exceeded()),
                transport.isDisconnecting());
        if (outcome.closed()) {
            transport.receive(new byte[8]);
            assertEquals(outcome, new Outcome(protocol.strings(), protocol.exceeded(), true),
                    "input after the close is ignored");
        }
        return outcome;
    }

    private static <P extends IntNStringReceiver & Recording> void check(byte[] data, int prefixLength,
            IntFunction<P> maker) {
        FuzzInput input = new FuzzInput(data, 2);
        int maxLength = input.setting(0);
        byte[] sent = input.sent();
        Outcome expected = reference(sent, prefixLength, maxLength);
        assertEquals(expected, run(maker.apply(maxLength), new byte[][] {sent}), "in one packet");
        assertEquals(expected, run(maker.apply(maxLength), input.packets(input.setting(1))), "in packets");
    }

    @FuzzTest
    void int8Strings(byte[] data) {
        check(data, 1, max -> new Int8().max(max));
    }

    @FuzzTest
    void int16Strings(byte[] data) {
        check(data, 2, max -> new Int16().max(max));
    }

    @FuzzTest
    void int32Strings(byte[] data) {
        check(data, 4, max -> new Int32().max(max));
    }
}
