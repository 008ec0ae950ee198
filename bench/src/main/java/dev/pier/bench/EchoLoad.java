package dev.pier.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Echo ping-pong: each connection sends a message, waits for all of it to come back, and sends it again. The latency
 * is one round trip; the throughput is round trips per second over all connections.
 */
final class EchoLoad {

    private EchoLoad() {
    }

    static Result run(InetSocketAddress target, int connections, int messageSize, int threads, Duration warmup,
                      Duration duration, MeasurementWindow window) throws IOException, InterruptedException {
        List<Worker> workers = new ArrayList<>();
        try {
            for (int i = 0; i < threads; i++) {
                Worker worker = new Worker(messageSize);
                workers.add(worker);
                for (int c = TimedLoad.share(connections, threads, i); c > 0; c--) {
                    worker.add(target);
                }
            }
        } catch (IOException e) {
            workers.forEach(Worker::closeAll);
            throw new IOException("could not open " + connections + " connections to " + target + ": " + e, e);
        }
        return TimedLoad.run(workers, warmup, duration, window);
    }

    private static final class Connection {
        final SocketChannel channel;
        final ByteBuffer out;
        final ByteBuffer in;
        SelectionKey key;
        long sentAt;

        Connection(SocketChannel channel, ByteBuffer message) {
            this.channel = channel;
            this.out = message.duplicate();
            this.in = ByteBuffer.allocateDirect(message.capacity());
        }
    }

    private static final class Worker extends SelectorWorker {
        private final ByteBuffer message;
        private final List<Connection> connections = new ArrayList<>();

        Worker(int messageSize) {
            message = ByteBuffer.allocateDirect(messageSize);
            for (int i = 0; i < messageSize; i++) {
                message.put(i, (byte) ('a' + i % 26));
            }
        }

        void add(InetSocketAddress target) throws IOException {
            SocketChannel channel = SocketChannel.open(target);
            Connection connection = new Connection(channel, message);
            connections.add(connection);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.configureBlocking(false);
            connection.key = channel.register(selector, SelectionKey.OP_READ, connection);
        }

        @Override
        void start() {
            for (Connection connection : connections) {
                send(connection);
            }
        }

        private void send(Connection connection) {
            connection.out.clear();
            connection.sentAt = System.nanoTime();
            write(connection);
        }

        private void write(Connection connection) {
            try {
                connection.channel.write(connection.out);
                boolean full = connection.out.hasRemaining();
                connection.key.interestOps(full ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
            } catch (IOException e) {
                fail(connection);
            }
        }

        @Override
        void ready(SelectionKey key) {
            Connection connection = (Connection) key.attachment();
            if (!key.isValid()) {
                return;
            }
            if (key.isWritable()) {
                write(connection);
                return;
            }
            try {
                if (connection.channel.read(connection.in) < 0) {
                    fail(connection);
                    return;
                }
            } catch (IOException e) {
                fail(connection);
                return;
            }
            if (!connection.in.hasRemaining()) {
                completed(connection.sentAt, System.nanoTime());
                connection.in.clear();
                send(connection);
            }
        }

        private void fail(Connection connection) {
            errors++;
            connection.key.cancel();
            close(connection);
        }

        @Override
        void closeAll() {
            connections.forEach(Worker::close);
        }

        private static void close(Connection connection) {
            try {
                connection.channel.close();
            } catch (IOException ignored) {
                // Nothing is left to learn from a connection whose run is over.
            }
        }
    }
}
