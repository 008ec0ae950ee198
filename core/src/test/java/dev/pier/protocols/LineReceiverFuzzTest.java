package dev.pier.protocols;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.pier.testing.FakeTransport;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Timeout;

/**
 * Lines from any input, however it is cut into packets, are those a plain reference splitter finds in the whole
 * input. Settings bytes: the maximum length (0 to 63), then flags (bits 0-1 the delimiter, bit 2 keep the connection
 * on a long line, bit 3 "R" followed by a digit switches to raw mode for that many bytes, bit 4 a line "P" pauses
 * reading), then the seed of the packet sizes.
 */
@Timeout(10)
class LineReceiverFuzzTest {

    private static final byte[][] DELIMITERS = {
        "\r\n".getBytes(ISO_8859_1), "\n".getBytes(ISO_8859_1), "--".getBytes(ISO_8859_1),
        "\r\n\r\n".getBytes(ISO_8859_1),
    };

    private record Settings(int maxLength, byte[] delimiter, boolean keepOnLongLine, boolean raw, boolean pause) {
        static Settings of(FuzzInput input) {
            int flags = input.setting(1);
            return new Settings(input.setting(0) & 63, DELIMITERS[flags & 3], (flags & 4) != 0, (flags & 8) != 0,
                    (flags & 16) != 0);
        }
    }

    /** Records lines, raw data and long lines as events; bytes as ISO-8859-1 text, so nothing is lost. */
    private static final class Recorder extends LineReceiver {
        final Settings settings;
        final List<String> events = new ArrayList<>();
        final List<Integer> exceededLengths = new ArrayList<>();
        final ByteArrayOutputStream raw = new ByteArrayOutputStream();
        int rawWanted;

        Recorder(Settings settings) {
            this.settings = settings;
            setMaxLength(settings.maxLength());
            setDelimiter(settings.delimiter());
            setCharset(ISO_8859_1);
        }

        @Override
        protected void lineReceived(String line) {
            events.add("line " + line);
            if (settings.raw() && isRawSwitch(line)) {
                rawWanted = line.charAt(1) - '0';
                setRawMode();
            } else if (settings.pause() && line.equals("P")) {
                transport().pauseReading();
            }
        }

        @Override
        protected void rawDataReceived(ByteBuffer data) {
            int take = Math.min(rawWanted, data.remaining());
            byte[] chunk = new byte[take];
            data.get(chunk);
            raw.writeBytes(chunk);
            rawWanted -= take;
            if (rawWanted == 0) {
                events.add("raw " + raw.toString(ISO_8859_1));
                raw.reset();
                byte[] rest = new byte[data.remaining()];
                data.get(rest);
                setLineMode(rest);
            }
        }

        @Override
        protected void lineLengthExceeded(int length) {
            events.add("too long");
            exceededLengths.add(length);
            if (!settings.keepOnLongLine()) {
                super.lineLengthExceeded(length);
            }
        }

        /** The events, with raw bytes still awaited when the input ended as a last raw event. */
        List<String> allEvents() {
            List<String> all = new ArrayList<>(events);
            if (isRawMode()) {
                all.add("raw " + raw.toString(ISO_8859_1));
            }
            return all;
        }
    }

    private static boolean isRawSwitch(String line) {
        return line.length() == 2 && line.charAt(0) == 'R' && line.charAt(1) >= '0' && line.charAt(1) <= '9';
    }

    private record Outcome(List<String> events, boolean closed) {}

    /** What the receiver should report for {@code sent}, found by scanning the whole input at once. */
    private static Outcome reference(byte[] sent, Settings settings) {
        byte[] delimiter = settings.delimiter();
        List<String> events = new ArrayList<>();
        int at = 0;
        while (true) {
            int end = indexOf(sent, delimiter, at);
            if (end < 0) {
                // The rest is a line without its delimiter yet, over the maximum once its bytes that cannot be part
                // of a delimiter are.
                if (sent.length - at - (delimiter.length - 1) > settings.maxLength()) {
                    events.add("too long");
                    return new Outcome(events, !settings.keepOnLongLine());
                }
                return new Outcome(events, false);
            }
            String line = new String(sent, at, end - at, ISO_8859_1);
            at = end + delimiter.length;
            if (line.length() > settings.maxLength()) {
                events.add("too long");
                if (!settings.keepOnLongLine()) {
                    return new Outcome(events, true);
                }
                continue;
            }
            events.add("line " + line);
            if (settings.raw() && isRawSwitch(line)) {
                int rawEnd = Math.min(sent.length, at + line.charAt(1) - '0');
                events.add("raw " + new String(sent, at, rawEnd - at, ISO_8859_1));
                at = rawEnd;
            }
        }
    }

    private static int indexOf(byte[] data, byte[] delimiter, int from) {
        for (int i = from; i <= data.length - delimiter.length; i++) {
            if (Arrays.equals(data, i, i + delimiter.length, delimiter, 0, delimiter.length)) {
                return i;
            }
        }
        return -1;
    }

    private static Outcome run(Settings settings, byte[][] packets, byte[] sent) {
        Recorder protocol = new Recorder(settings);
        FakeTransport transport = FakeTransport.connect(protocol);
        FuzzInput.receive(transport, protocol.transport(), packets);
        for (int length : protocol.exceededLengths) {
            assertTrue(length > settings.maxLength(), "a long line is reported once over the maximum: " + length);
        }
        for (String event : protocol.events) {
            assertTrue(!event.startsWith("line ") || event.length() - 5 <= settings.maxLength(),
                    "a line over the maximum was delivered: " + event);
        }
        if (!settings.keepOnLongLine() && !settings.raw()) {
            // Nothing is made up: the lines and their delimiters are the input up to where delivery stopped.
            ByteArrayOutputStream delivered = new ByteArrayOutputStream();
            for (String event : protocol.events) {
                if (event.startsWith("line ")) {
                    delivered.writeBytes(event.substring(5).getBytes(ISO_8859_1));
                    delivered.writeBytes(settings.delimiter());
                }
            }
            byte[] prefix = delivered.toByteArray();
            assertTrue(prefix.length <= sent.length, "more delivered than sent");
            assertArrayEquals(prefix, Arrays.copyOf(sent, prefix.length), "delivered lines are not the input");
        }
        Outcome outcome = new Outcome(protocol.allEvents(), transport.isDisconnecting());
        if (outcome.closed()) {
            transport.receive(settings.delimiter());
            assertEquals(outcome.events(), protocol.allEvents(), "input after the close is ignored");
        }
        return outcome;
    }

    @FuzzTest
    void lines(byte[] data) {
        FuzzInput input = new FuzzInput(data, 3);
        Settings settings = Settings.of(input);
        byte[] sent = input.sent();
        Outcome expected = reference(sent, settings);
        assertEquals(expected, run(settings, new byte[][] {sent}, sent), "in one packet");
        assertEquals(expected, run(settings, input.packets(input.setting(2)), sent), "in packets");
    }
}
