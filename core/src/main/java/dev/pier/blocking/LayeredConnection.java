package dev.pier.blocking;

import dev.pier.layer.Layer;
import dev.pier.layer.LayerStack;
import dev.pier.reactor.DelayedCall;
import dev.pier.reactor.Scheduler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A blocking connection behind layers: the same {@link LayerStack} the reactor drives, driven here by threads. A
 * virtual thread reads the socket and feeds the layers, so a handshake or a held write makes progress whatever the
 * handler is doing; timers of the layers run on virtual threads too. Layer code runs under one lock, one call at a
 * time; socket writes happen outside it. The handler reads what the layers passed up through {@link #input()} and
 * writes through {@link #output()}, whose writes return once the layers let every byte out.
 */
final class LayeredConnection implements LayerStack.Below, LayerStack.Above {

    /** What the layers passed up and the handler has not read yet, at most; beyond it the socket is not read. */
    private static final int MAX_UNREAD = 64 * 1024;
    private static final int READ_SIZE = 16 * 1024;

    private final SocketChannel channel;
    private final SocketAddress local;
    private final SocketAddress remote;
    private final Duration timeout;
    private final LayerStack stack;
    private final ServerCounters counters;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ReentrantLock sending = new ReentrantLock();
    private final ArrayDeque<ByteBuffer> unread = new ArrayDeque<>();
    private final ArrayDeque<ByteBuffer> toSocket = new ArrayDeque<>();
    private long unreadBytes;
    private long unsentBytes;
    private boolean connected;
    private boolean inputEnded;
    private boolean pausedByLayers;
    private boolean closeRequested;
    private boolean outputShutdownRequested;
    private boolean outputEnded;
    private IOException failure;

    private LayeredConnection(SocketChannel channel, List<Layer> layers, Duration timeout, ServerCounters counters)
            throws IOException {
        this.channel = channel;
        this.counters = counters;
        this.local = channel.getLocalAddress();
        this.remote = channel.getRemoteAddress();
        this.timeout = timeout;
        this.stack = new LayerStack(layers, this, this);
    }

    /**
     * Starts the layers on {@code channel} and waits until they pass the connection on (a handshake, a header), so
     * the handler starts on a connection its layers accepted.
     *
     * @param timeout  how long a read (and this wait) may take; null: for ever
     * @param counters where the bytes on the socket, and a refusal by the layers, are counted
     * @throws IOException if the layers refused the connection or the peer went away first
     */
    static LayeredConnection start(SocketChannel channel, List<Layer> layers, Duration timeout,
            ServerCounters counters) throws IOException {
        var connection = new LayeredConnection(channel, layers, timeout, counters);
        try {
            connection.underLock(connection.stack::connectionMade);
            connection.startReading();
            connection.awaitConnected();
        } catch (IOException | RuntimeException e) {
            counters.refusedByLayers(e);   // never served: the handler does not start
            connection.fail(e instanceof IOException io ? io : new IOException(e.getMessage(), e));
            throw e;
        }
        return connection;
    }

    /**
     * Upgrades a plaintext connection a handler is serving (STARTTLS): {@code layer} from now on, and first of all
     * over {@code readAhead}, the bytes the handler's buffer had read but not used.
     */
    static LayeredConnection upgrade(SocketChannel channel, Layer layer, byte[] readAhead, Duration timeout,
            ServerCounters counters) throws IOException {
        var connection = new LayeredConnection(channel, List.of(), timeout, counters);
        try {
            connection.underLock(connection.stack::connectionMade);
            connection.addInnermost(layer, readAhead);
        } catch (IOException | RuntimeException e) {
            connection.fail(e instanceof IOException io ? io : new IOException(e.getMessage(), e));
            throw e;
        }
        connection.startReading();
        return connection;
    }

    /**
     * Adds {@code layer} inside the others on this live connection. What the handler had not read yet has passed
     * the other layers only: {@code readAhead} (its buffer's), then this connection's own, go through the new one.
     */
    void addInnermost(Layer layer, byte[] readAhead) throws IOException {
        underLock(() -> {
            List<ByteBuffer> notRead = new ArrayList<>();
            notRead.add(ByteBuffer.wrap(readAhead));
            notRead.addAll(unread);
            unread.clear();
            unreadBytes = 0;
            stack.addInnermost(layer);
            for (ByteBuffer data : notRead) {
                if (data.hasRemaining()) {
                    stack.receivedByInnermost(data);
                }
            }
        });
    }

    private void startReading() {
        Thread.ofVirtual().name("pier-layers-" + remote).start(this::readSocket);
    }

    InputStream input() {
        return new Input();
    }

    OutputStream output() {
        return new Output();
    }

    /** The peer's address as the handler sees it: a layer (a PROXY header) may have named the real client. */
    SocketAddress clientAddress() {
        lock.lock();
        try {
            return stack.remoteAddress();
        } finally {
            lock.unlock();
        }
    }

    <T> Optional<T> layer(Class<T> type) {
        return stack.layer(type);
    }

    /**
     * The handler is done: the layers close (a TLS layer sends its close_notify), what they still hold is sent, and
     * they let go of their timers. The server closes the socket afterwards, which ends the reading thread.
     */
    void finish() throws IOException {
        try {
            underLock(stack::close);
            awaitSent();
        } finally {
            lock.lock();
            try {
                stack.connectionLost();
                changed.signalAll();   // a reading thread parked for room or for a layer ends now
            } finally {
                lock.unlock();
            }
        }
    }

    // ---- the reading thread

    private void readSocket() {
        ByteBuffer buffer = ByteBuffer.allocate(READ_SIZE);
        try {
            while (awaitReadable()) {
                buffer.clear();
                int n = channel.read(buffer);
                if (n < 0) {
                    underLock(stack::inputEnded);
                    return;
                }
                counters.received(n);
                buffer.flip();
                underLock(() -> stack.dataReceived(buffer));
            }
        } catch (IOException e) {
            fail(e);
        } catch (InterruptedException e) {
            fail(new IOException("interrupted"));
        } finally {
            lock.lock();
            try {
                inputEnded = true;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Waits while the layers paused reading or the handler has enough unread; false once the connection failed. */
    private boolean awaitReadable() throws InterruptedException {
        lock.lock();
        try {
            while (failure == null && !stack.isLost() && stack.refusal().isEmpty()
                    && (pausedByLayers || unreadBytes >= MAX_UNREAD)) {
                changed.await();
            }
            return failure == null && !stack.isLost() && stack.refusal().isEmpty();
        } finally {
            lock.unlock();
        }
    }

    /** Runs layer code under the lock, then sends what it passed down. */
    private void underLock(Runnable layerCall) throws IOException {
        lock.lock();
        try {
            layerCall.run();
        } catch (RuntimeException e) {
            failLocked(new IOException("a layer failed: " + e, e));
        } finally {
            changed.signalAll();
            lock.unlock();
        }
        sendPending();
        lock.lock();
        try {
            if (failure != null) {
                throw failure;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Writes what the layers passed down, in order, by whichever thread gets here first. */
    private void sendPending() {
        sending.lock();
        try {
            while (true) {
                ByteBuffer next;
                boolean shutdown;
                lock.lock();
                try {
                    next = toSocket.poll();
                    shutdown = next == null && (closeRequested || outputShutdownRequested) && !outputEnded
                            && failure == null;
                    if (shutdown) {
                        outputEnded = true;
                    }
                } finally {
                    lock.unlock();
                }
                if (shutdown) {
                    channel.shutdownOutput();
                }
                if (next == null) {
                    return;
                }
                int length = next.remaining();
                while (next.hasRemaining()) {
                    channel.write(next);
                }
                counters.sent(length);
                lock.lock();
                try {
                    unsentBytes -= length;
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        } catch (IOException e) {
            fail(e);
        } finally {
            sending.unlock();
        }
    }

    private void awaitConnected() throws IOException {
        awaitUntil(() -> connected, "the connection's layers did not accept it within " + timeout);
    }

    /** Waits until the layers hold nothing and everything they passed down is sent. */
    private void awaitSent() throws IOException {
        awaitUntil(() -> stack.heldBytes() == 0 && unsentBytes == 0, null);
    }

    private void awaitUntil(java.util.function.BooleanSupplier done, String timeoutMessage) throws IOException {
        lock.lock();
        try {
            long deadline = timeout == null || timeoutMessage == null ? 0 : System.nanoTime() + timeout.toNanos();
            while (!done.getAsBoolean()) {
                if (failure != null) {
                    throw failure;
                }
                if (!connected && stack.refusal().isPresent() && unsentBytes == 0) {
                    Exception refusal = stack.refusal().get();
                    throw refusal instanceof IOException io ? io : new IOException(refusal.getMessage(), refusal);
                }
                if (inputEnded && !connected && stack.refusal().isEmpty()) {
                    throw new IOException("the peer closed the connection before its layers accepted it");
                }
                awaitChange(deadline, timeoutMessage);
            }
        } finally {
            lock.unlock();
        }
    }

    private void awaitChange(long deadline, String timeoutMessage) throws IOException {
        try {
            if (deadline == 0) {
                changed.await();
            } else if (changed.awaitNanos(deadline - System.nanoTime()) <= 0 && deadline - System.nanoTime() <= 0) {
                throw new SocketTimeoutException(timeoutMessage);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the connection");
        }
    }

    private void fail(IOException cause) {
        lock.lock();
        try {
            failLocked(cause);
        } finally {
            lock.unlock();
        }
    }

    private void failLocked(IOException cause) {
        if (failure == null) {
            failure = cause;
        }
        stack.connectionLost();
        changed.signalAll();
    }

    // ---- LayerStack.Below: called with the lock held

    @Override
    public void send(ByteBuffer data) {
        int length = data.remaining();
        if (length == 0) {
            return;
        }
        ByteBuffer copy = ByteBuffer.allocate(length);
        copy.put(data).flip();
        toSocket.add(copy);
        unsentBytes += length;
    }

    @Override
    public void close() {
        closeRequested = true;
    }

    @Override
    public void shutdownOutput() {
        outputShutdownRequested = true;
    }

    @Override
    public void abort(Exception cause) {
        if (failure == null) {
            failure = cause instanceof IOException io ? io : new IOException(cause.getMessage(), cause);
        }
        try {
            channel.setOption(StandardSocketOptions.SO_LINGER, 0);
            channel.close();
        } catch (IOException | UnsupportedOperationException ignored) {
            // closed already: the reset was all that was wanted
        }
        changed.signalAll();
    }

    @Override
    public void setReadingPaused(boolean paused) {
        pausedByLayers = paused;
        changed.signalAll();
    }

    @Override
    public void heldBytesChanged() {
        changed.signalAll();
    }

    @Override
    public Scheduler scheduler() {
        return timers;
    }

    @Override
    public SocketAddress localAddress() {
        return local;
    }

    @Override
    public SocketAddress remoteAddress() {
        return remote;
    }

    // ---- LayerStack.Above: called with the lock held

    @Override
    public void connectionMade() {
        connected = true;
    }

    @Override
    public void dataReceived(ByteBuffer data) {
        int length = data.remaining();
        if (length == 0) {
            return;
        }
        ByteBuffer copy = ByteBuffer.allocate(length);
        copy.put(data).flip();
        unread.add(copy);
        unreadBytes += length;
    }

    @Override
    public void inputEnded() {
        inputEnded = true;
    }

    // ---- the handler's streams

    private final class Input extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            lock.lock();
            try {
                long deadline = timeout == null ? 0 : System.nanoTime() + timeout.toNanos();
                while (unread.isEmpty()) {
                    if (failure != null) {
                        throw failure;
                    }
                    if (inputEnded) {
                        return -1;
                    }
                    awaitChange(deadline, "no data from the client within " + timeout);
                }
                int copied = 0;
                while (copied < len && !unread.isEmpty()) {
                    ByteBuffer head = unread.peek();
                    int n = Math.min(len - copied, head.remaining());
                    head.get(b, off + copied, n);
                    copied += n;
                    if (!head.hasRemaining()) {
                        unread.poll();
                    }
                }
                unreadBytes -= copied;
                changed.signalAll();
                return copied;
            } finally {
                lock.unlock();
            }
        }
    }

    private final class Output extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            lock.lock();
            try {
                if (failure != null) {
                    throw failure;
                }
                if (closeRequested || outputShutdownRequested) {
                    throw new IOException("the connection's output is closed");
                }
            } finally {
                lock.unlock();
            }
            underLock(() -> stack.write(ByteBuffer.wrap(b, off, len)));
            awaitSent();
        }
    }

    // ---- timers of the layers: fired on virtual threads, run under the lock like every layer call

    private final Scheduler timers = new Scheduler() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public DelayedCall callLater(Duration delay, Runnable task) {
            return new Timer(delay, task);
        }
    };

    private final class Timer implements DelayedCall {
        private final Runnable task;
        private long deadline;
        private ScheduledFuture<?> future;
        private boolean done;

        Timer(Duration delay, Runnable task) {
            this.task = Objects.requireNonNull(task, "task");
            schedule(System.nanoTime() + delay.toNanos());
        }

        private void schedule(long newDeadline) {
            deadline = newDeadline;
            future = ChannelStreams.TIMERS.schedule(() -> Thread.ofVirtual().start(this::fire),
                    Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }

        private void fire() {
            try {
                underLock(() -> {
                    if (!done && System.nanoTime() - deadline >= 0) {
                        done = true;
                        task.run();
                    }
                });
            } catch (IOException ignored) {
                // the connection failed: its handler hears of it on its next read or write
            }
        }

        @Override
        public void cancel() {
            done = true;
            future.cancel(false);
        }

        @Override
        public void reset(Duration delay) {
            future.cancel(false);
            done = false;
            schedule(System.nanoTime() + delay.toNanos());
        }

        @Override
        public void delay(Duration extra) {
            future.cancel(false);
            schedule(deadline + extra.toNanos());
        }

        @Override
        public boolean isActive() {
            return !done;
        }
    }
}
