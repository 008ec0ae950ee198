package dev.pier.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Fast poetry: each client connects, reads until the server closes, checks it got the whole poem, and connects
 * again at once. The latency is connect to end of file; the throughput is poems per second.
 *
 * <p>A new connection needs a new channel and key, which no client can avoid; reading allocates nothing.
 */
final class PoetryLoad {

    private PoetryLoad() {
    }

    static Result run(InetSocketAddress target, int clients, long poemBytes, int threads, Duration warmup,
                      Duration duration, MeasurementWindow window) throws InterruptedException {
        List<Worker> workers = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            workers.add(new Worker(target, TimedLoad.share(clients, threads, i), poemBytes));
        }
        return TimedLoad.run(workers, warmup, duration, window);
    }

    private static final class Client {
        SocketChannel channel;
        long startedAt;
        long received;
    }

    private static final class Worker extends SelectorWorker {
        private final InetSocketAddress target;
        private final long poemBytes;
        private final List<Client> clients = new ArrayList<>();
        private final ByteBuffer scratch = ByteBuffer.allocateDirect(64 * 1024);

        Worker(InetSocketAddress target, int clients, long poemBytes) {
            this.target = target;
            this.poemBytes = poemBytes;
            for (int i = 0; i < clients; i++) {
                this.clients.add(new Client());
            }
        }

        @Override
        void start() {
            clients.forEach(this::connect);
        }

        private void connect(Client client) {
            client.startedAt = System.nanoTime();
            client.received = 0;
            try {
                client.channel = SocketChannel.open();
                client.channel.configureBlocking(false);
                boolean connected = client.channel.connect(target);
                client.channel.register(selector, connected ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, client);
            } catch (IOException e) {
                failed(client.startedAt);
                close(client);
                // The next tick retries: a refused connection is counted, not retried in a tight loop.
            }
        }

        @Override
        void tick(long now) {
            for (Client client : clients) {
                if (client.channel == null) {
                    connect(client);
                }
            }
        }

        @Override
        void ready(SelectionKey key) {
            Client client = (Client) key.attachment();
            try {
                if (key.isConnectable()) {
                    client.channel.finishConnect();
                    key.interestOps(SelectionKey.OP_READ);
                    return;
                }
                int read;
                while ((read = client.channel.read(scratch.clear())) > 0) {
                    client.received += read;
                }
                if (read < 0) {
                    if (poemBytes > 0 && client.received != poemBytes) {
                        failed(System.nanoTime());
                    } else {
                        completed(client.startedAt, System.nanoTime());
                    }
                    close(client);
                    connect(client);
                }
            } catch (IOException e) {
                failed(System.nanoTime());
                close(client);
                connect(client);
            }
        }

        @Override
        void closeAll() {
            clients.forEach(Worker::close);
        }

        private static void close(Client client) {
            if (client.channel == null) {
                return;
            }
            try {
                client.channel.close();
            } catch (IOException ignored) {
                // The poem is read or the connection failed: either way it was counted.
            } finally {
                client.channel = null;
            }
        }
    }
}
