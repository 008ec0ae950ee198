package dev.pier.protocols;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pier.testing.FakeTransport;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class LineReceiverTest {

    /** Records lines and events; behaviour on a line is pluggable. */
    static class Lines extends LineReceiver {
        final List<String> events = new ArrayList<>();
        Consumer<String> onLine = line -> {};
        boolean closeOnLongLine = true;

        @Override
        protected void lineReceived(String line) {
            events.add(line);
            onLine.accept(line);
        }

        @Override
        protected void lineLengthExceeded(int length) {
            events.add("TOO LONG " + length);
            if (closeOnLongLine) {
                super.lineLengthExceeded(length);
            }
        }

        Lines delimiter(String delimiter) {
            setDelimiter(delimiter.getBytes(US_ASCII));
            return this;
        }

        Lines max(int max) {
            setMaxLength(max);
            return this;
        }
    }

    private static List<String> feed(Lines protocol, byte[][] packets) {
        FakeTransport transport = FakeTransport.connect(protocol);
        transport.receive(packets);
        return protocol.events;
    }

    @Test
    void sameLinesHoweverThePacketsAreSplit() {
        byte[] input = "hello\r\nworld\r\n\r\nlast line\r\nunfinished\r".getBytes(US_ASCII);
        for (byte[][] packets : Splits.of(input)) {
            assertEquals(List.of("hello", "world", "", "last line"), feed(new Lines(), packets),
                    Splits.describe(packets));
        }
    }

    @Test
    void singleByteAndLongerDelimiters() {
        for (byte[][] packets : Splits.of("a\nbb\n\nccc\n".getBytes(US_ASCII))) {
            assertEquals(List.of("a", "bb", "", "ccc"), feed(new Lines().delimiter("\n"), packets));
        }
        for (byte[][] packets : Splits.of("a--b-c---d--".getBytes(US_ASCII))) {
            assertEquals(List.of("a", "b-c", "-d"), feed(new Lines().delimiter("--"), packets),
                    Splits.describe(packets));
        }
    }

    @Test
    void aLineOfExactlyTheMaximumIsAcceptedHoweverSplit() {
        byte[] input = "0123456789\r\nabc\r\n".getBytes(US_ASCII);
        for (byte[][] packets : Splits.of(input)) {
            Lines protocol = new Lines().max(10);
            FakeTransport transport = FakeTransport.connect(protocol);
            transport.receive(packets);
            assertEquals(List.of("0123456789", "abc"), protocol.events, Splits.describe(packets));
            assertFalse(transport.isDisconnecting());
        }
    }

    @Test
    void aLineOneByteOverTheMaximumClosesTheConnectionHoweverSplit() {
        byte[] input = "01234567890\r\nabc\r\n".getBytes(US_ASCII);
        for (byte[][] packets : Splits.of(input)) {
            Lines protocol = new Lines().max(10);
            FakeTransport transport = FakeTransport.connect(protocol);
            transport.receive(packets);
            assertEquals(List.of("TOO LONG 11"), protocol.events, Splits.describe(packets));
            assertTrue(transport.isDisconnecting());
        }
    }

    @Test
    void anOverlongLineIsRejectedBeforeItsDelimiterArrivesAndLaterInputIgnored() {
        Lines protocol = new Lines().max(10);
        FakeTransport transport = FakeTransport.connect(protocol);
        transport.receive("0123456789A", "B");
        assertEquals(List.of("TOO LONG 11"), protocol.events);
        assertTrue(transport.isDisconnecting());
        transport.receive(new byte[1_000_000]);
        assertEquals(List.of("TOO LONG 11"), protocol.events, "nothing more after the close");
    }

    @Test
    void aHookThatKeepsTheConnectionSkipsTheLongLineHoweverSplit() {
        byte[] input = "ok\r\n0123456789ABCDEF\r\nnext\r\n".getBytes(US_ASCII);
        for (byte[][] packets : Splits.of(input)) {
            Lines protocol = new Lines().max(10);
            protocol.closeOnLongLine = false;
            FakeTransport transport = FakeTransport.connect(protocol);
            transport.receive(packets);
            List<String> events = protocol.events;
            assertEquals("ok", events.getFirst(), Splits.describe(packets));
            assertTrue(events.get(1).startsWith("TOO LONG "), Splits.describe(packets) + " " + events);
            assertTrue(Integer.parseInt(events.get(1).substring(9)) > 10);
            assertEquals(List.of("next"), events.subList(2, events.size()), Splits.describe(packets));
            assertFalse(transport.isDisconnecting());
        }
    }

    /** "RAW n" switches to raw mode for n bytes, then back to lines with the rest. */
    static final class Mixed extends Lines {
        final ByteArrayOutputStreamish raw = new ByteArrayOutputStreamish();
        int rawWanted;

        Mixed() {
            onLine = line -> {
                if (line.startsWith("RAW ")) {
                    rawWanted = Integer.parseInt(line.substring(4));
                    setRawMode();
                }
            };
        }

        @Override
        protected void rawDataReceived(ByteBuffer data) {
            int take = Math.min(rawWanted, data.remaining());
            byte[] chunk = new byte[take];
            data.get(chunk);
            raw.add(chunk);
            rawWanted -= take;
            if (rawWanted == 0) {
                events.add("raw " + raw.text());
                raw.reset();
                byte[] rest = new byte[data.remaining()];
                data.get(rest);
                setLineMode(rest);
            }
        }
    }

    static final class ByteArrayOutputStreamish {
        private byte[] bytes = new byte[0];

        void add(byte[] more) {
            byte[] joined = Arrays.copyOf(bytes, bytes.length + more.length);
            System.arraycopy(more, 0, joined, bytes.length, more.length);
            bytes = joined;
        }

        String text() {
            return new String(bytes, US_ASCII);
        }

        void reset() {
            bytes = new byte[0];
        }
    }

    @Test
    void switchingToRawAndBackMidPacketHoweverSplit() {
        byte[] input = "a\r\nRAW 7\r\n12\r\n345b\r\nRAW 2\r\nxyc\r\n".getBytes(US_ASCII);
        for (byte[][] packets : Splits.of(input)) {
            assertEquals(List.of("a", "RAW 7", "raw 12\r\n345", "b", "RAW 2", "raw xy", "c"), feed(new Mixed(), packets),
                    Splits.describe(packets));
        }
    }

    @Test
    void rawModeWithoutOverrideFailsClearly() {
        Lines protocol = new Lines();
        protocol.onLine = line -> protocol.setRawMode();
        FakeTransport transport = FakeTransport.connect(protocol);
        UnsupportedOperationException error = assertThrows(UnsupportedOperationException.class,
                () -> transport.receive("go\r\nraw"));
        assertTrue(error.getMessage().contains("rawDataReceived"));
    }

    @Test
    void pausingReadingStopsLinesUntilResumed() {
        Lines protocol = new Lines();
        protocol.onLine = line -> {
            if (line.equals("pause")) {
                protocol.transport().pauseReading();
            }
        };
        FakeTransport transport = FakeTransport.connect(protocol);
        transport.receive("one\r\npause\r\ntwo\r\nthr", "ee\r\n");
        assertEquals(List.of("one", "pause"), protocol.events);
        assertTrue(transport.isReadingPaused());

        protocol.transport().resumeReading();
        assertEquals(List.of("one", "pause", "two", "three"), protocol.events);
        assertFalse(transport.isReadingPaused());
    }

    @Test
    void pausingAgainWhileDrainingKeepsTheTransportPaused() {
        Lines protocol = new Lines();
        protocol.onLine = line -> {
            if (line.startsWith("pause")) {
                protocol.transport().pauseReading();
            }
        };
        FakeTransport transport = FakeTransport.connect(protocol);
        transport.receive("pause1\r\npause2\r\nend\r\n");
        assertEquals(List.of("pause1"), protocol.events);
        protocol.transport().resumeReading();
        assertEquals(List.of("pause1", "pause2"), protocol.events);
        assertTrue(transport.isReadingPaused(), "the real transport stays paused");
        protocol.transport().resumeReading();
        assertEquals(List.of("pause1", "pause2", "end"), protocol.events);
    }

    @Test
    void closingInLineReceivedStopsFurtherLines() {
        Lines protocol = new Lines();
        protocol.onLine = line -> {
            if (line.equals("quit")) {
                protocol.transport().loseConnection();
            }
        };
        FakeTransport transport = FakeTransport.connect(protocol);
        transport.receive("a\r\nquit\r\nb\r\n");
        assertEquals(List.of("a", "quit"), protocol.events);
        assertTrue(transport.isDisconnecting());
    }

    @Test
    void sendLineAppendsTheDelimiterInOneWrite() {
        Lines protocol = new Lines();
        FakeTransport transport = FakeTransport.connect(protocol);
        protocol.sendLine("héllo");
        protocol.sendLine(new byte[] {1, 2});
        assertArrayEquals(concat("héllo\r\n".getBytes(UTF_8), new byte[] {1, 2, '\r', '\n'}), transport.written());
    }

    @Test
    void multiByteCharactersSplitAcrossPacketsDecode() {
        byte[] input = "zürich ✓\r\n".getBytes(UTF_8);
        for (byte[][] packets : Splits.of(input)) {
            assertEquals(List.of("zürich ✓"), feed(new Lines(), packets));
        }
    }

    @Test
    void latin1GivesTheRawBytesBack() {
        Lines protocol = new Lines();
        protocol.setCharset(ISO_8859_1);
        FakeTransport transport = FakeTransport.connect(protocol);
        byte[] binary = {(byte) 0xff, 0, (byte) 0x80, 'x'};
        transport.receive(concat(binary, "\r\n".getBytes(US_ASCII)));
        assertArrayEquals(binary, protocol.events.getFirst().getBytes(ISO_8859_1));
    }

    @Test
    void manySmallLinesInOneLargePacket() {
        StringBuilder input = new StringBuilder();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            input.append("line ").append(i).append("\r\n");
            expected.add("line " + i);
        }
        assertEquals(expected, feed(new Lines(), new byte[][] {input.toString().getBytes(US_ASCII)}));
    }

    @Test
    void defaultsAreTwisted() {
        Lines protocol = new Lines();
        assertEquals(16384, protocol.maxLength());
        assertArrayEquals("\r\n".getBytes(US_ASCII), protocol.delimiter());
        assertEquals(UTF_8, protocol.charset());
        assertThrows(IllegalArgumentException.class, () -> protocol.delimiter(""));
        assertThrows(IllegalStateException.class, () -> protocol.sendLine("not connected"));
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] joined = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, joined, a.length, b.length);
        return joined;
    }
}
