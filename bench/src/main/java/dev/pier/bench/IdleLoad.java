package dev.pier.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;

/**
 * Many idle connections: opens them all (a bounded number of connects in flight) and holds them open, then each
 * sends one message and waits for its echo. The result counts the connections served against those attempted;
 * the latency of each is from the moment all were sent to its own echo, so the tail is the time to serve them all.
 * Opening and serving share one timeout: what is not served by then counts as an error.
 */
final class IdleLoad {

    private static final int CONNECTS_IN_FLIGHT = 256;

    private IdleLoad() {
    }

    static Result run(InetSocketAddress target, int connections, int messageSize, Duration timeout)
            throws IOException {
        SocketChannel[] channels = new SocketChannel[connections];
        int[] received = new int[connections];
        long errors = 0;
        try (Selector selector = Selector.open()) {
            final long deadline = System.nanoTime() + timeout.toNanos();
            int started = 0;
            int settled = 0;
            while (settled < connections && System.nanoTime() < deadline) {
                for (; started < connections && started - settled < CONNECTS_IN_FLIGHT; started++) {
                    try {
                        SocketChannel channel = SocketChannel.open();
                        channels[started] = channel;
                        channel.configureBlocking(false);
                        if (channel.connect(target)) {
                            channel.register(selector, 0, started);
                            settled++;
                        } else {
                            channel.register(selector, SelectionKey.OP_CONNECT, started);
                        }
                    } catch (IOException e) {
                        errors++;
                        settled++;
                        close(channels[started]);
                        channels[started] = null;
                    }
                }
                selector.select(100);
                for (var keys = selector.selectedKeys().iterator(); keys.hasNext(); ) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    int index = (Integer) key.attachment();
                    settled++;
                    try {
                        channels[index].finishConnect();
                        key.interestOps(0);
                    } catch (IOException e) {
                        errors++;
                        key.cancel();
                        close(channels[index]);
                        channels[index] = null;
                    }
                }
            }

            ByteBuffer message = ByteBuffer.allocateDirect(messageSize);
            long sentAt = System.nanoTime();
            for (int i = 0; i < connections; i++) {
                if (channels[i] == null || !channels[i].isConnected()) {
                    continue;
                }
                try {
                    channels[i].write(message.clear());
                    channels[i].keyFor(selector).interestOps(SelectionKey.OP_READ);
                } catch (IOException e) {
                    errors++;
                }
            }
            var latency = Result.newHistogram();
            ByteBuffer scratch = ByteBuffer.allocateDirect(64 * 1024);
            long served = 0;
            while (served + errors < connections && System.nanoTime() < deadline) {
                selector.select(100);
                for (var keys = selector.selectedKeys().iterator(); keys.hasNext(); ) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    int index = (Integer) key.attachment();
                    try {
                        int read = channels[index].read(scratch.clear());
                        if (read < 0) {
                            throw new IOException("closed by the server");
                        }
                        received[index] += read;
                        if (received[index] >= messageSize) {
                            latency.recordValue(System.nanoTime() - sentAt);
                            served++;
                            key.interestOps(0);
                        }
                    } catch (IOException e) {
                        errors++;
                        key.cancel();
                    }
                }
            }
            double seconds = (System.nanoTime() - sentAt) / 1e9;
            return new Result(served, seconds, latency, connections - served, connections);
        } finally {
            for (SocketChannel channel : channels) {
                close(channel);
            }
        }
    }

    private static void close(SocketChannel channel) {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // The connection has been counted; closing it can only free a descriptor.
        }
    }
}
