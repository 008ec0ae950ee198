package dev.pier.bench.jmh;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The floor for Pier's protocol decoders: the least work any decoder must do to find the frames in a 64 KiB read,
 * written as plainly as possible over a {@link ByteBuffer}. {@link PierProtocols} runs Pier's LineReceiver and
 * NetstringReceiver over the same bytes; the gap between the two is what their framing costs.
 *
 * <pre>{@code scripts/bench jmh DecodingBaseline}</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DecodingBaseline {

    /** Bytes of payload per line or netstring. */
    @Param({"16", "256"})
    public int frameSize;

    private ByteBuffer lines;
    private ByteBuffer netstrings;

    @Setup
    public void fill() {
        lines = lines(frameSize);
        netstrings = netstrings(frameSize);
    }

    /** About 64 KiB (one read) of CRLF-terminated lines of {@code frameSize} bytes each. */
    static ByteBuffer lines(int frameSize) {
        ByteBuffer lines = ByteBuffer.allocate(64 * 1024 / (frameSize + 2) * (frameSize + 2));
        while (lines.hasRemaining()) {
            lines.put(payload(frameSize)).put((byte) '\r').put((byte) '\n');
        }
        return lines.flip();
    }

    /** About 64 KiB (one read) of netstrings of {@code frameSize} bytes each. */
    static ByteBuffer netstrings(int frameSize) {
        byte[] header = (frameSize + ":").getBytes(StandardCharsets.US_ASCII);
        int frame = header.length + frameSize + 1;
        ByteBuffer netstrings = ByteBuffer.allocate(64 * 1024 / frame * frame);
        while (netstrings.hasRemaining()) {
            netstrings.put(header).put(payload(frameSize)).put((byte) ',');
        }
        return netstrings.flip();
    }

    private static byte[] payload(int size) {
        return "x".repeat(size).getBytes(StandardCharsets.US_ASCII);
    }

    /** Finds each CRLF-terminated line and hands a view of it on, as a line receiver's delivery would. */
    @Benchmark
    public void splitLines(Blackhole sink) {
        ByteBuffer buffer = lines;
        int start = 0;
        int limit = buffer.limit();
        for (int i = 0; i < limit; i++) {
            if (buffer.get(i) == '\n') {
                int end = i > start && buffer.get(i - 1) == '\r' ? i - 1 : i;
                sink.consume(buffer.slice(start, end - start));
                start = i + 1;
            }
        }
    }

    /** As {@link #splitLines}, and decodes each line to a String in UTF-8, as a line receiver's delivery does. */
    @Benchmark
    public void splitLinesToStrings(Blackhole sink) {
        ByteBuffer buffer = lines;
        byte[] bytes = buffer.array();
        int start = 0;
        int limit = buffer.limit();
        for (int i = 0; i < limit; i++) {
            if (bytes[i] == '\n') {
                int end = i > start && bytes[i - 1] == '\r' ? i - 1 : i;
                sink.consume(new String(bytes, start, end - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
    }

    /** Parses each netstring's length, checks its comma and hands a view of its payload on. */
    @Benchmark
    public void decodeNetstrings(Blackhole sink) {
        ByteBuffer buffer = netstrings;
        int position = 0;
        int limit = buffer.limit();
        while (position < limit) {
            int length = 0;
            byte digit;
            while ((digit = buffer.get(position++)) != ':') {
                length = length * 10 + (digit - '0');
            }
            if (buffer.get(position + length) != ',') {
                throw new IllegalStateException("netstring without its comma at " + (position + length));
            }
            sink.consume(buffer.slice(position, length));
            position += length + 1;
        }
    }
}
