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
import javax.net.ssl.SSLContext;

/**
 * Echo ping-pong over TLS: as {@link EchoLoad}, each connection sends a message and waits for all of it to come
 * back, through the JDK's {@code SSLEngine}. Every connection makes its handshake before the run starts, so the
 * figure is the cost of the records alone.
 */
final class TlsEchoLoad {

    private TlsEchoLoad() {
    }

    static Result run(InetSocketAddress target, SSLContext tls, int connections, int messageSize, int threads,
                      Duration warmup, Duration duration, MeasurementWindow window)
            throws IOException, InterruptedException {
        List<Worker> workers = new ArrayList<>();
        try {
            for (int i = 0; i < threads; i++) {
                Worker worker = new Worker(messageSize);
                workers.add(worker);
                for (int c = TimedLoad.share(connections, threads, i); c > 0; c--) {
                    worker.add(target, tls);
                }
            }
        } catch (IOException e) {
            workers.forEach(Worker::closeAll);
            throw new IOException("could not open " + connections + " TLS connections to " + target + ": " + e, e);
        }
        return TimedLoad.run(workers, warmup, duration, window);
    }

    private static final class Connection {
        final TlsChannel tls;
        final ByteBuffer out;
        SelectionKey key;
        long sentAt;
        long received;

        Connection(TlsChannel tls, ByteBuffer message) {
            this.tls = tls;
            this.out = message.duplicate();
        }
    }

    private static final class Worker extends SelectorWorker {
        private final ByteBuffer message;
        private final List<Connection> connections = new ArrayList<>();

        Worker(int messageSize) {
            message = ByteBuffer.allocate(messageSize);
            for (int i = 0; i < messageSize; i++) {
                message.put(i, (byte) ('a' + i % 26));
            }
        }

        /** Connects and completes the handshake, blocking, then hands the connection to the selector. */
        void add(InetSocketAddress target, SSLContext context) throws IOException {
            SocketChannel channel = SocketChannel.open(target);
            TlsChannel tls = new TlsChannel(channel, context);
            Connection connection = new Connection(tls, message);
            connections.add(connection);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            tls.handshake();
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
            connection.received = 0;
            connection.sentAt = System.nanoTime();
            try {
                boolean sent = connection.tls.write(connection.out);
                connection.key.interestOps(sent ? SelectionKey.OP_READ : SelectionKey.OP_WRITE);
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
            try {
                if (key.isWritable()) {
                    if (connection.tls.write(connection.out)) {
                        key.interestOps(SelectionKey.OP_READ);
                    }
                    return;
                }
                connection.received += connection.tls.readAndDiscard();
                if (connection.tls.closed()) {
                    fail(connection);
                    return;
                }
            } catch (IOException e) {
                fail(connection);
                return;
            }
            if (connection.received >= message.capacity()) {
                completed(connection.sentAt, System.nanoTime());
                send(connection);
            }
        }

        private void fail(Connection connection) {
            errors++;
            connection.key.cancel();
            connection.tls.close();
        }

        @Override
        void closeAll() {
            connections.forEach(connection -> connection.tls.close());
        }
    }
}
