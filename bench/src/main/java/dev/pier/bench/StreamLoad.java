package dev.pier.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;

/**
 * Bulk streaming: one connection writes a number of bytes through an echo server as fast as it takes them while
 * reading the echo back. Passes of a sixteenth of the bytes warm up both ends for the warm-up time, so that the
 * JIT compilers are done before the timed pass of all the bytes.
 * The result's operations are the bytes echoed in the timed pass.
 */
final class StreamLoad {

    private static final int CHUNK = 64 * 1024;

    private StreamLoad() {
    }

    static Result run(InetSocketAddress target, long bytes, Duration warmup, Duration timeout,
                      MeasurementWindow window) throws IOException {
        try (SocketChannel channel = SocketChannel.open(target); Selector selector = Selector.open()) {
            channel.configureBlocking(false);
            SelectionKey key = channel.register(selector, 0);
            ByteBuffer out = ByteBuffer.allocateDirect(CHUNK);
            for (int i = 0; i < CHUNK; i++) {
                out.put(i, (byte) i);
            }
            ByteBuffer in = ByteBuffer.allocateDirect(CHUNK);
            long warm = System.nanoTime() + warmup.toNanos();
            long deadline = warm + timeout.toNanos();
            do {
                if (pass(channel, key, out, in, Math.max(1, bytes / 16), deadline) < 0) {
                    return failed(bytes);
                }
            } while (System.nanoTime() < warm);
            window.opened();
            long started = System.nanoTime();
            long echoed = pass(channel, key, out, in, bytes, deadline);
            long elapsed = System.nanoTime() - started;
            window.closed();
            if (echoed < 0) {
                return failed(bytes);
            }
            var latency = Result.newHistogram();
            latency.recordValue(elapsed);
            return new Result(echoed, elapsed / 1e9, latency, 0, bytes);
        }
    }

    private static Result failed(long bytes) {
        return new Result(0, 0, Result.newHistogram(), 1, bytes);
    }

    /** Streams {@code total} bytes through; returns them, or -1 when the server closed or the deadline passed. */
    private static long pass(SocketChannel channel, SelectionKey key, ByteBuffer out, ByteBuffer in, long total,
                             long deadline) throws IOException {
        Selector selector = key.selector();
        long sent = 0;
        long received = 0;
        while (received < total) {
            if (System.nanoTime() > deadline) {
                return -1;
            }
            if (sent < total) {
                out.clear().limit((int) Math.min(CHUNK, total - sent));
                sent += channel.write(out);
            }
            int read = channel.read(in.clear());
            if (read < 0) {
                return -1;
            }
            received += read;
            if (read == 0 && (sent == total || out.hasRemaining())) {
                key.interestOps(SelectionKey.OP_READ | (sent < total ? SelectionKey.OP_WRITE : 0));
                selector.select(100);
                selector.selectedKeys().clear();
            }
        }
        return received;
    }
}
