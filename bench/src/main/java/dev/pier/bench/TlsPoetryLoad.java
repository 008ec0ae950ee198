package dev.pier.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;

/**
 * TLS handshakes: as {@link PoetryLoad}, each client connects, reads the poem until the server closes and connects
 * again at once, but over TLS 1.3 with a full handshake each time (the driver keeps no session to resume). The
 * latency is connect to end of poem; the throughput is handshakes (poems) per second.
 */
final class TlsPoetryLoad {

    private TlsPoetryLoad() {
    }

    static Result run(InetSocketAddress target, SSLContext tls, int clients, long poemBytes, int threads,
                      Duration warmup, Duration duration, MeasurementWindow window) throws InterruptedException {
        List<Worker> workers = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            workers.add(new Worker(target, tls, TimedLoad.share(clients, threads, i), poemBytes));
        }
        return TimedLoad.run(workers, warmup, duration, window);
    }

    private static final class Client {
        TlsChannel tls;
        /** The last connection's, whose buffers the next one reuses. */
        TlsChannel previous;
        boolean handshaken;
        long startedAt;
        long received;
    }

    private static final class Worker extends SelectorWorker {
        private final InetSocketAddress target;
        private final SSLContext context;
        private final long poemBytes;
        private final List<Client> clients = new ArrayList<>();

        Worker(InetSocketAddress target, SSLContext context, int clients, long poemBytes) {
            this.target = target;
            this.context = context;
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
            client.handshaken = false;
            SocketChannel channel = null;
            try {
                channel = SocketChannel.open();
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                client.tls = new TlsChannel(channel, context, client.previous);
                client.previous = client.tls;
                boolean connected = channel.connect(target);
                SelectionKey key = channel.register(selector,
                        connected ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, client);
                if (connected) {
                    advance(client, key);
                }
            } catch (IOException e) {
                failed(client.startedAt);
                if (client.tls != null) {
                    client.tls.close();
                } else if (channel != null) {
                    try {
                        channel.close();
                    } catch (IOException ignored) {
                        // It never connected.
                    }
                }
                client.tls = null;
                // The next tick retries: a refused connection is counted, not retried in a tight loop.
            }
        }

        @Override
        void tick(long now) {
            for (Client client : clients) {
                if (client.tls == null) {
                    connect(client);
                }
            }
        }

        @Override
        void ready(SelectionKey key) {
            Client client = (Client) key.attachment();
            try {
                if (key.isConnectable()) {
                    client.tls.channel.finishConnect();
                }
                advance(client, key);
            } catch (IOException e) {
                failed(System.nanoTime());
                again(client);
            }
        }

        /** Takes the handshake on, then reads the poem; at its end counts it and connects again. */
        private void advance(Client client, SelectionKey key) throws IOException {
            TlsChannel tls = client.tls;
            if (!client.handshaken) {
                if (!tls.handshake()) {
                    key.interestOps(tls.pendingOutput() ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
                    return;
                }
                client.handshaken = true;
                key.interestOps(SelectionKey.OP_READ);
            }
            client.received += tls.readAndDiscard();
            if (tls.closed()) {
                if (poemBytes > 0 && client.received != poemBytes) {
                    failed(System.nanoTime());
                } else {
                    completed(client.startedAt, System.nanoTime());
                }
                tls.closeNotifyAndClose();
                again(client);
            }
        }

        private void again(Client client) {
            client.tls.close();
            client.tls = null;
            connect(client);
        }

        @Override
        void closeAll() {
            for (Client client : clients) {
                if (client.tls != null) {
                    client.tls.close();
                }
            }
        }
    }
}
