package dev.pier.bench.jmh;

import dev.pier.protocols.LineReceiver;
import dev.pier.protocols.NetstringReceiver;
import dev.pier.testing.FakeTransport;
import java.nio.ByteBuffer;
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
 * Pier's line and netstring receivers decoding the same 64 KiB reads as {@link DecodingBaseline}, and the write
 * path of {@code sendLine}, each on a {@link FakeTransport} so that only the protocol code is measured. Compare
 * {@code lineReceiver} with {@code DecodingBaseline.splitLinesToStrings} and {@code netstringReceiver} with
 * {@code DecodingBaseline.decodeNetstrings}: the gap is what Pier's framing costs.
 *
 * <pre>{@code scripts/bench jmh 'DecodingBaseline|PierProtocols'}</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PierProtocols {

    /** Bytes of payload per line or netstring. */
    @Param({"16", "256"})
    public int frameSize;

    private ByteBuffer lines;
    private ByteBuffer netstrings;
    private String line;
    private Lines lineReceiver;
    private Netstrings netstringReceiver;
    private FakeTransport lineTransport;

    @Setup
    public void connect() {
        lines = DecodingBaseline.lines(frameSize);
        netstrings = DecodingBaseline.netstrings(frameSize);
        line = "x".repeat(frameSize);
        lineReceiver = new Lines();
        netstringReceiver = new Netstrings();
        lineTransport = FakeTransport.connect(lineReceiver);
        FakeTransport.connect(netstringReceiver);
    }

    @Benchmark
    public void lineReceiver(Blackhole sink) {
        lineReceiver.sink = sink;
        lineReceiver.dataReceived(lines.rewind());
    }

    @Benchmark
    public void netstringReceiver(Blackhole sink) {
        netstringReceiver.sink = sink;
        netstringReceiver.dataReceived(netstrings.rewind());
    }

    /** One line out through {@code sendLine(String)}: encoding, framing and the transport's copy. */
    @Benchmark
    public void sendLine() {
        lineReceiver.sendLine(line);
        lineTransport.clear();
    }

    /** A line receiver as users write one: the default "\r\n" delimiter and UTF-8. */
    private static final class Lines extends LineReceiver {
        Blackhole sink;

        @Override
        protected void lineReceived(String line) {
            sink.consume(line);
        }
    }

    private static final class Netstrings extends NetstringReceiver {
        Blackhole sink;

        @Override
        protected void stringReceived(ByteBuffer data) {
            sink.consume(data);
        }
    }
}
