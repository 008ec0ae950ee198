package dev.pier.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * UDP echo: each sender sends a numbered datagram and waits for it to come back before sending the next. A reply
 * that does not come within {@link #LOSS_TIMEOUT} counts as an error (lost) and the sender moves on; a late reply
 * to an earlier number is ignored.
 */
final class UdpLoad {

    static final Duration LOSS_TIMEOUT = Duration.ofMillis(200);

    private UdpLoad() {
    }

    static Result run(InetSocketAddress target, int senders, int datagramSize, int threads, Duration warmup,
                      Duration duration, MeasurementWindow window) throws IOException, InterruptedException {
        if (datagramSize < Long.BYTES) {
            throw new IllegalArgumentException("datagrams carry an 8-byte sequence number: use a size of at least 8");
        }
        List<Worker> workers = new ArrayList<>();
        try {
            for (int i = 0; i < threads; i++) {
                Worker worker = new Worker(datagramSize);
                workers.add(worker);
                for (int s = TimedLoad.share(senders, threads, i); s > 0; s--) {
                    worker.add(target);
                }
            }
        } catch (IOException e) {
            workers.forEach(Worker::closeAll);
            throw new IOException("could not open " + senders + " UDP senders to " + target + ": " + e, e);
        }
        return TimedLoad.run(workers, warmup, duration, window);
    }

    private static final class Sender {
        final DatagramChannel channel;
        final ByteBuffer out;
        long sequence;
        long sentAt;

        Sender(DatagramChannel channel, int size) {
            this.channel = channel;
            this.out = ByteBuffer.allocateDirect(size);
        }
    }

    private static final class Worker extends SelectorWorker {
        private final int size;
        private final List<Sender> senders = new ArrayList<>();
        private final ByteBuffer in = ByteBuffer.allocateDirect(64 * 1024);
        private final long lossTimeout = LOSS_TIMEOUT.toNanos();

        Worker(int size) {
            this.size = size;
        }

        void add(InetSocketAddress target) throws IOException {
            DatagramChannel channel = DatagramChannel.open();
            Sender sender = new Sender(channel, size);
            senders.add(sender);
            channel.connect(target);
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_READ, sender);
        }

        @Override
        void start() {
            senders.forEach(this::send);
        }

        private void send(Sender sender) {
            sender.sequence++;
            sender.out.clear();
            sender.out.putLong(0, sender.sequence);
            sender.sentAt = System.nanoTime();
            try {
                sender.channel.write(sender.out);
            } catch (IOException e) {
                failed(System.nanoTime()); // the loss timeout sends again
            }
        }

        @Override
        long selectMillis() {
            return 10;
        }

        @Override
        void tick(long now) {
            for (Sender sender : senders) {
                if (now - sender.sentAt > lossTimeout) {
                    failed(now);
                    send(sender);
                }
            }
        }

        @Override
        void ready(SelectionKey key) {
            Sender sender = (Sender) key.attachment();
            try {
                while (sender.channel.read(in.clear()) > 0) {
                    if (in.position() == size && in.getLong(0) == sender.sequence) {
                        completed(sender.sentAt, System.nanoTime());
                        send(sender);
                    }
                }
            } catch (IOException e) {
                failed(System.nanoTime()); // e.g. the port is unreachable: the loss timeout sends again
            }
        }

        @Override
        void closeAll() {
            for (Sender sender : senders) {
                try {
                    sender.channel.close();
                } catch (IOException ignored) {
                    // Closing a datagram socket after the run loses nothing.
                }
            }
        }
    }
}
