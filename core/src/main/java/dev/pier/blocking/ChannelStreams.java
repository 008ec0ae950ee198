package dev.pier.blocking;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Streams over a connected, blocking {@code SocketChannel} whose {@code close()} leaves the channel open: a
 * handler's streams end with the handler, the connection is the server's to shut down.
 */
final class ChannelStreams {

    /** Large heap-buffer transfers go through the JDK's per-thread direct buffers; keep those small. */
    private static final int MAX_TRANSFER = 64 * 1024;
    private static final int MIN_TRANSFER = 512;

    private ChannelStreams() {
    }

    /** An unbuffered input stream; reads fail with SocketTimeoutException after {@code timeout} (null: never). */
    static InputStream input(SocketChannel channel, Duration timeout, ServerCounters counters) throws IOException {
        return new Input(channel, timeout, counters);
    }

    /** An unbuffered output stream whose every write sends all its bytes before returning. */
    static OutputStream output(SocketChannel channel, ServerCounters counters) {
        return new Output(channel, counters);
    }

    private static final class Input extends InputStream {
        private final SocketChannel channel;
        private final Duration timeout;
        private final InputStream timedInet;   // the JDK's own timed reads, for TCP
        private final ServerCounters counters;
        private boolean closed;

        Input(SocketChannel channel, Duration timeout, ServerCounters counters) throws IOException {
            this.channel = channel;
            this.timeout = timeout;
            this.counters = counters;
            if (timeout != null && channel.getRemoteAddress() instanceof java.net.InetSocketAddress) {
                channel.socket().setSoTimeout((int) Math.clamp(Math.max(1, timeout.toMillis()), 1, Integer.MAX_VALUE));
                this.timedInet = channel.socket().getInputStream();
            } else {
                this.timedInet = null;
            }
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (closed) {
                throw new IOException("stream closed");
            }
            if (len == 0) {
                return 0;
            }
            len = Math.min(len, MAX_TRANSFER);
            int n = timedInet != null ? timedInet.read(b, off, len)
                    : timeout == null ? channel.read(ByteBuffer.wrap(b, off, len))
                    : readWithWatchdog(ByteBuffer.wrap(b, off, len));
            if (n > 0) {
                counters.received(n);
            }
            return n;
        }

        /**
         * Copies to the end of the stream through a buffer that starts small and doubles each time a read fills it:
         * a handler blocked in {@code in().transferTo(out())} on an idle connection holds a few hundred bytes rather
         * than the JDK's 16 KiB, while a busy stream soon reads {@value #MAX_TRANSFER} bytes at a time.
         */
        @Override
        public long transferTo(OutputStream out) throws IOException {
            Objects.requireNonNull(out, "out");
            if (out instanceof Output output && output.channel == channel && timedInet == null && timeout == null) {
                return echo(output);
            }
            byte[] buffer = new byte[MIN_TRANSFER];
            long total = 0;
            for (int n; (n = read(buffer, 0, buffer.length)) >= 0; ) {
                out.write(buffer, 0, n);
                total += n;
                if (n == buffer.length && buffer.length < MAX_TRANSFER) {
                    buffer = new byte[buffer.length * 2];
                }
            }
            return total;
        }

        /**
         * {@link #transferTo} from a connection to itself, through a direct buffer: a heap array would cost two more
         * copies per chunk, the JDK moving it through a temporary direct buffer on each side. The buffer grows as
         * {@code transferTo}'s does.
         */
        private long echo(Output output) throws IOException {
            ByteBuffer buffer = ByteBuffer.allocateDirect(MIN_TRANSFER);
            long total = 0;
            while (true) {
                if (closed) {
                    throw new IOException("stream closed");
                }
                int n = channel.read(buffer);
                if (n < 0) {
                    return total;
                }
                counters.received(n);
                output.writeAll(buffer.flip());
                total += n;
                buffer = n == buffer.capacity() && n < MAX_TRANSFER ? ByteBuffer.allocateDirect(n * 2) : buffer.clear();
            }
        }

        /**
         * Unix channels have no read timeout: on expiry a watchdog shuts the input down, which ends the blocked
         * read; the connection can still be written to.
         */
        private int readWithWatchdog(ByteBuffer dst) throws IOException {
            var timedOut = new java.util.concurrent.atomic.AtomicBoolean();
            ScheduledFuture<?> watchdog = TIMERS.schedule(() -> {
                timedOut.set(true);
                try {
                    channel.shutdownInput();
                } catch (IOException ignored) {
                    // the read ends anyway once the channel is gone
                }
            }, timeout.toNanos(), TimeUnit.NANOSECONDS);
            int n;
            try {
                n = channel.read(dst);
            } finally {
                watchdog.cancel(false);
            }
            if (timedOut.get()) {
                throw new SocketTimeoutException("no data from the client within " + timeout);
            }
            return n;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private static final class Output extends OutputStream {
        private final SocketChannel channel;
        private final ServerCounters counters;
        private boolean closed;

        Output(SocketChannel channel, ServerCounters counters) {
            this.channel = channel;
            this.counters = counters;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            int at = off;
            do {
                int chunk = Math.min(off + len - at, MAX_TRANSFER);
                writeAll(ByteBuffer.wrap(b, at, chunk));
                at += chunk;
            } while (at < off + len);
        }

        /** Sends all of {@code bytes}. */
        void writeAll(ByteBuffer bytes) throws IOException {
            if (closed) {
                throw new IOException("stream closed");
            }
            int sent = 0;
            try {
                while (bytes.hasRemaining()) {
                    sent += channel.write(bytes);
                }
            } finally {
                counters.sent(sent);
            }
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /** One daemon thread for every timer of the blocking model's connections: read timeouts, layers' timers. */
    static final ScheduledExecutorService TIMERS = newTimers();

    private static ScheduledExecutorService newTimers() {
        var scheduler = new ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().daemon(true).name("pier-connection-timers").factory());
        scheduler.setRemoveOnCancelPolicy(true);
        return Executors.unconfigurableScheduledExecutorService(scheduler);
    }
}
