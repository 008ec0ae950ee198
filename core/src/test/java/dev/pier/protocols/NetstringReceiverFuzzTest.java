package dev.pier.protocols;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.pier.testing.FakeTransport;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Timeout;

/**
 * Netstrings from any input, however it is cut into packets, are those a plain reference decoder finds in the whole
 * input, and malformed input is reported once and closes the connection. Settings bytes: the maximum length (under
 * 200 as given, otherwise the default), then the seed of the packet sizes.
 */
@Timeout(10)
class NetstringReceiverFuzzTest {

    private static final class Recorder extends NetstringReceiver {
        final List<String> strings = new ArrayList<>();
        final List<String> problems = new ArrayList<>();

        Recorder(int maxLength) {
            setMaxLength(maxLength);
        }

        @Override
        protected void stringReceived(ByteBuffer data) {
            strings.add(ISO_8859_1.decode(data).toString());
        }

        @Override
        protected void malformedNetstring(String problem) {
            problems.add(problem);
        }
    }

    private record Decoded(List<String> strings, boolean malformed) {}

    /**
     * The strings in {@code sent} up to the first error or the end, and whether there is an error: a length of no
     * digits, with a non-digit, a leading zero, over the maximum or with more digits than the maximum has (known
     * before its ':' arrives), or a string not followed by ','.
     */
    private static Decoded reference(byte[] sent, int maxLength) {
        int maxDigits = Integer.toString(maxLength).length();
        List<String> strings = new ArrayList<>();
        int at = 0;
        while (at < sent.length) {
            int colon = at;
            while (colon < sent.length && sent[colon] >= '0' && sent[colon] <= '9') {
                colon++;
            }
            int digits = colon - at;
            if (digits > maxDigits) {
                return new Decoded(strings, true);
            }
            if (colon == sent.length) {
                return new Decoded(strings, false);
            }
            if (sent[colon] != ':' || digits == 0 || (digits > 1 && sent[at] == '0')) {
                return new Decoded(strings, true);
            }
            int length = Integer.parseInt(new String(sent, at, digits, ISO_8859_1));
            if (length > maxLength) {
                return new Decoded(strings, true);
            }
            int comma = colon + 1 + length;
            if (comma >= sent.length) {
                return new Decoded(strings, false);
            }
            if (sent[comma] != ',') {
                return new Decoded(strings, true);
            }
            strings.add(new String(sent, colon + 1, length, ISO_8859_1));
            at = comma + 1;
        }
        return new Decoded(strings, false);
    }

    private record Outcome(List<String> strings, List<String> problems, boolean closed) {}

    private static Outcome run(int maxLength, byte[][] packets) {
        Recorder protocol = new Recorder(maxLength);
        FakeTransport transport = FakeTransport.connect(protocol);
        FuzzInput.receive(transport, protocol.transport(), packets);
        for (String string : protocol.strings) {
            assertTrue(string.length() <= maxLength, "a string over the maximum was delivered");
        }
        Outcome outcome = new Outcome(List.copyOf(protocol.strings), List.copyOf(protocol.problems),
                transport.isDisconnecting());
        if (outcome.closed()) {
            transport.receive("0:,");
            assertEquals(outcome.strings(), protocol.strings, "input after the error is ignored");
            assertEquals(outcome.problems(), protocol.problems, "input after the error is ignored");
        }
        return outcome;
    }

    @FuzzTest
    void netstrings(byte[] data) {
        FuzzInput input = new FuzzInput(data, 2);
        int maxLength = input.setting(0) < 200 ? input.setting(0) : NetstringReceiver.DEFAULT_MAX_LENGTH;
        byte[] sent = input.sent();
        Decoded expected = reference(sent, maxLength);

        Outcome whole = run(maxLength, new byte[][] {sent});
        assertEquals(expected.strings(), whole.strings());
        assertEquals(expected.malformed() ? 1 : 0, whole.problems().size(), "problems: " + whole.problems());
        assertEquals(expected.malformed(), whole.closed(), "closed on malformed input only");
        assertEquals(whole, run(maxLength, input.packets(input.setting(1))), "in packets");
    }
}
