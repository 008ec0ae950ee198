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
 * written as plainly as possible over a {@link ByteBuffer}. Pier's LineReceiver and NetstringReceiver, fed the
 * same bytes through a FakeTransport, get benchmarks beside these; the gap between the two is their overhead.
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
        byte[] payload = "x".repeat(frameSize).getBytes(StandardCharsets.US_ASCII);
        byte[] header = (frameSize + ":").getBytes(StandardCharsets.US_ASCII);
        int frames = 64 * 1024 / (frameSize + 2);
        lines = ByteBuffer.allocateDirect(frames * (frameSize + 2));
        netstrings = ByteBuffer.allocateDirect(frames * (header.length + frameSize + 1));
        for (int i = 0; i < frames; i++) {
            lines.put(payload).put((byte) '\r').put((byte) '\n');
            netstrings.put(header).put(payload).put((byte) ',');
        }
        lines.flip();
        netstrings.flip();
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
