package dev.pier.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;

/**
 * Open-loop echo, as wrk2 measures latency: messages leave on a fixed schedule at a given rate whatever the replies
 * do, and each latency runs from the time the message was <em>scheduled</em> to leave to the arrival of the last
 * byte of its echo. A server that stalls is thus charged for every message that should have left meanwhile, not
 * only for the one it held up (no coordinated omission).
 *
 * <p>Each selector loop owns its share of the connections and of the rate, and sends its messages round-robin over
 * its connections, so that each connection sends at the same pace. Echoes come back in order on a connection, so
 * each connection keeps the scheduled times of its messages in flight in a queue and takes the oldest off for each
 * full message it reads back. After the measured window the loop stops sending and waits up to {@link #DRAIN} for
 * the replies still owed to messages scheduled inside it; those still missing then count as errors, and their
 * latency is recorded as at least the time they have waited, so a server that cannot keep up with the rate shows it
 * in its tail rather than dropping out of it. Messages lost with a connection the server reset or closed count as
 * errors only.
 *
 * <p>The loop waits for replies in {@link Selector#select(long)}, whose timeout is in milliseconds: when no reply
 * wakes it, a message may leave up to a millisecond late, and that lateness counts in its latency as any other
 * delay does. Under the rates this scenario offers, replies wake the loop far more often than that.
 */
final class OpenLoopEchoLoad {

    /** How long after the measured window the driver waits for replies to messages scheduled inside it. */
    static final Duration DRAIN = Duration.ofSeconds(1);

    private OpenLoopEchoLoad() {
    }

    /**
     * Offers {@code rate} messages per second in all over {@code connections} connections, for {@code warmup}, then
     * for {@code duration} measured.
     */
    static Result run(InetSocketAddress target, double rate, int connections, int messageSize, int threads,
                      Duration warmup, Duration duration, MeasurementWindow window)
            throws IOException, InterruptedException {
        if (rate <= 0) {
            throw new IllegalArgumentException("an open-loop run needs a rate above zero");
        }
        long start = System.nanoTime() + Duration.ofMillis(20).toNanos();
        long from = start + warmup.toNanos();
        long until = from + duration.toNanos();
        List<Worker> workers = new ArrayList<>();
        try {
            for (int i = 0; i < threads; i++) {
                int mine = TimedLoad.share(connections, threads, i);
                if (mine == 0) {
                    continue;
                }
                Worker worker = new Worker(messageSize, rate * mine / connections, start, from, until);
                workers.add(worker);
                for (int c = 0; c < mine; c++) {
                    worker.add(target);
                }
            }
        } catch (IOException e) {
            workers.forEach(Worker::closeAll);
            throw new IOException("could not open " + connections + " connections to " + target + ": " + e, e);
        }
        List<Thread> threadList = new ArrayList<>();
        for (int i = 0; i < workers.size(); i++) {
            threadList.add(Thread.ofPlatform().name("pier-bench-open-loop-" + i).start(workers.get(i)));
        }
        parkUntil(from);
        window.opened();
        parkUntil(until);
        window.closed();
        for (Thread thread : threadList) {
            thread.join();
        }
        Histogram latency = Result.newHistogram();
        long operations = 0;
        long errors = 0;
        for (Worker worker : workers) {
            latency.add(worker.latency);
            operations += worker.answered;
            errors += worker.errors;
        }
        return new Result(operations, duration.toNanos() / 1e9, latency, errors, operations + errors);
    }

    private static void parkUntil(long deadline) {
        for (long left = deadline - System.nanoTime(); left > 0; left = deadline - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }

    private static final class Connection {
        final SocketChannel channel;
        SelectionKey key;
        /** Bytes of scheduled messages not yet written. */
        long owed;
        /** Bytes read back towards the next full message. */
        int partial;
        /** Scheduled send times of the messages in flight, oldest first (a ring). */
        long[] scheduled = new long[64];
        int head;
        int size;
        boolean failed;

        Connection(SocketChannel channel) {
            this.channel = channel;
        }

        void push(long time) {
            if (size == scheduled.length) {
                long[] larger = new long[scheduled.length * 2];
                for (int i = 0; i < size; i++) {
                    larger[i] = scheduled[(head + i) % scheduled.length];
                }
                scheduled = larger;
                head = 0;
            }
            scheduled[(head + size) % scheduled.length] = time;
            size++;
        }

        long pop() {
            long time = scheduled[head];
            head = (head + 1) % scheduled.length;
            size--;
            return time;
        }
    }

    private static final class Worker implements Runnable {
        private final Selector selector;
        private final int messageSize;
        /** Many copies of the message back to back, so that a backlog leaves in few writes. */
        private final ByteBuffer outgoing;
        private final ByteBuffer incoming = ByteBuffer.allocateDirect(64 * 1024);
        private final List<Connection> connections = new ArrayList<>();
        private final long intervalNanos;
        private final long start;
        private final long from;
        private final long until;
        final Histogram latency = Result.newHistogram();
        long answered;
        long errors;
        private long sent;
        private final Consumer<SelectionKey> onReady = this::ready;

        Worker(int messageSize, double rate, long start, long from, long until) throws IOException {
            this.selector = Selector.open();
            this.messageSize = messageSize;
            this.intervalNanos = Math.max(1, Math.round(1e9 / rate));
            this.start = start;
            this.from = from;
            this.until = until;
            int copies = Math.max(1, 64 * 1024 / messageSize);
            outgoing = ByteBuffer.allocateDirect(copies * messageSize);
            for (int i = 0; i < outgoing.capacity(); i++) {
                outgoing.put(i, (byte) ('a' + i % messageSize % 26));
            }
        }

        void add(InetSocketAddress target) throws IOException {
            SocketChannel channel = SocketChannel.open(target);
            Connection connection = new Connection(channel);
            connections.add(connection);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.configureBlocking(false);
            connection.key = channel.register(selector, SelectionKey.OP_READ, connection);
        }

        @Override
        public void run() {
            try {
                long drainUntil = until + DRAIN.toNanos();
                for (long now = System.nanoTime(); now < drainUntil && !allAnswered(now); now = System.nanoTime()) {
                    long next = Math.min(sendDue(now), drainUntil);
                    selector.select(onReady, Math.max(1, (next - now) / 1_000_000));
                }
                long end = System.nanoTime();
                for (Connection connection : connections) {
                    while (connection.size > 0) {
                        countUnanswered(connection.pop(), end);
                    }
                }
            } catch (IOException e) {
                errors++;
            } finally {
                closeAll();
                try {
                    selector.close();
                } catch (IOException ignored) {
                    // Closing a selector only releases its descriptor; the run's figures are already taken.
                }
            }
        }

        /** Whether sending is over and no message scheduled inside the window is waiting for its echo. */
        private boolean allAnswered(long now) {
            if (now < until || start + sent * intervalNanos < until) {
                return false;
            }
            for (Connection connection : connections) {
                if (connection.size > 0 && !connection.failed) {
                    return false;
                }
            }
            return true;
        }

        /** Queues every message due by {@code now} (none after the window), writes, and returns the next due time. */
        private long sendDue(long now) {
            long last = Math.min(now, until - 1);
            for (long due = start + sent * intervalNanos; due <= last; due = start + sent * intervalNanos) {
                Connection connection = connections.get((int) (sent % connections.size()));
                sent++;
                if (connection.failed) {
                    countFailed(due);
                    continue;
                }
                connection.push(due);
                connection.owed += messageSize;
            }
            for (Connection connection : connections) {
                if (connection.owed > 0 && !connection.failed) {
                    write(connection);
                }
            }
            long next = start + sent * intervalNanos;
            return next < until ? next : Long.MAX_VALUE;
        }

        private void write(Connection connection) {
            try {
                while (connection.owed > 0) {
                    outgoing.clear().limit((int) Math.min(connection.owed, outgoing.capacity()));
                    int written = connection.channel.write(outgoing);
                    connection.owed -= written;
                    if (written == 0) {
                        break;
                    }
                }
                connection.key.interestOps(connection.owed > 0
                        ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
            } catch (IOException e) {
                fail(connection);
            }
        }

        private void ready(SelectionKey key) {
            Connection connection = (Connection) key.attachment();
            if (!key.isValid() || connection.failed) {
                return;
            }
            if (key.isWritable()) {
                write(connection);
            }
            if (!key.isValid() || !key.isReadable()) {
                return;
            }
            try {
                int read = connection.channel.read(incoming.clear());
                if (read < 0) {
                    fail(connection);
                    return;
                }
                long now = System.nanoTime();
                connection.partial += read;
                while (connection.partial >= messageSize && connection.size > 0) {
                    connection.partial -= messageSize;
                    long scheduledAt = connection.pop();
                    if (scheduledAt >= from && scheduledAt < until) {
                        latency.recordValue(Math.max(0, now - scheduledAt));
                        answered++;
                    }
                }
            } catch (IOException e) {
                fail(connection);
            }
        }

        /** A message scheduled inside the window with no echo: an error, and at least this late. */
        private void countUnanswered(long scheduledAt, long now) {
            if (scheduledAt >= from && scheduledAt < until) {
                errors++;
                latency.recordValue(Math.max(0, now - scheduledAt));
            }
        }

        /**
         * A message lost with its connection (reset or closed by the server): an error only, since the time it
         * took to fail says nothing about the server's latency.
         */
        private void countFailed(long scheduledAt) {
            if (scheduledAt >= from && scheduledAt < until) {
                errors++;
            }
        }

        private void fail(Connection connection) {
            connection.failed = true;
            connection.key.cancel();
            while (connection.size > 0) {
                countFailed(connection.pop());
            }
            close(connection);
        }

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
