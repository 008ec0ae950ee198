package dev.pier.reactor.internal;

import dev.pier.jfr.ConnectionClosed;
import dev.pier.jfr.ConnectionOpened;
import dev.pier.layer.Layer;
import dev.pier.layer.LayeredProtocol;
import dev.pier.reactor.ClientFactory;
import dev.pier.reactor.DisconnectReason;
import dev.pier.reactor.HalfCloseableProtocol;
import dev.pier.reactor.Producer;
import dev.pier.reactor.Protocol;
import dev.pier.reactor.Scheduler;
import dev.pier.reactor.Transport;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A TCP or Unix stream connection: the {@link Transport} a protocol writes to, and the handler of its socket.
 *
 * <p>Reads go into the loop's one read buffer and are handed to the protocol for the duration of
 * {@code dataReceived}. Writes are copied into a queue of the loop's reusable {@link WriteChunks} (small writes share
 * a chunk) and sent at the end of the loop pass with one gathering write; OP_WRITE is registered only while bytes
 * remain queued. Closing is always done by the loop after the protocol callback that asked for it has returned, so a
 * protocol never sees {@code connectionLost} from inside its own {@code write}.
 */
final class StreamConnection implements Transport, Handler {

    private static final int MAX_READS_PER_EVENT = 16;

    private final EventLoop loop;
    private final SocketChannel channel;
    private Protocol protocol;
    private final ClientFactory clientFactory;
    private final SocketAddress local;
    private final SocketAddress remote;
    // Most connections queue nothing or one chunk at a time: start small (the default is 16 slots per connection).
    private final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>(1);
    private SelectionKey key;
    private int interestOps;
    private long buffered;
    /** Bytes read from and written to the socket, for the closed event. */
    private long bytesRead;
    private long bytesWritten;
    /** What the listening port counts, at this loop's counts; null for a client's connection. */
    private PortCounters counters;
    private int countersBase;
    private boolean readPaused;
    private boolean readEof;
    private boolean outputShutdownRequested;
    private boolean outputShutdown;
    private boolean disconnecting;
    private DisconnectReason abortReason;
    private boolean dirty;
    private boolean closed;
    private Producer producer;
    private boolean producerStreaming;
    private boolean producerPaused;
    /** Once a layer was added to this live connection: the protocol's calls go through it. */
    private Transport upgraded;

    StreamConnection(EventLoop loop, SocketChannel channel, Protocol protocol, ClientFactory clientFactory,
                     SocketAddress local, SocketAddress remote) {
        this.loop = loop;
        this.channel = channel;
        this.protocol = protocol;
        this.clientFactory = clientFactory;
        this.local = local;
        this.remote = remote;
    }

    /** Counts this accepted connection's bytes, errors and refusal in {@code counters}, at this loop's counts. */
    void countIn(PortCounters counters) {
        this.counters = counters;
        this.countersBase = counters.base(loop);
    }

    /**
     * Registers the channel (or takes over {@code existingKey}) and tells the protocol the connection is made.
     * Completes {@code connected} with the protocol once {@code connectionMade} returned.
     */
    void start(SelectionKey existingKey, CompletableFuture<Protocol> connected) throws IOException {
        interestOps = SelectionKey.OP_READ;
        if (existingKey != null) {
            key = existingKey;
            key.attach(this);
            key.interestOps(interestOps);
        } else {
            key = loop.register(channel, interestOps, this);
        }
        loop.connectionOpened(this);
        ConnectionOpened.record(local, remote);
        callProtocol(() -> protocol.connectionMade(this));
        if (connected != null) {
            connected.complete(protocol);
        }
    }

    // ---- Handler ----

    @Override
    public void ready(SelectionKey readyKey) {
        int ready = readyKey.readyOps();
        if ((ready & SelectionKey.OP_READ) != 0) {
            read();
        }
        // What the protocol wrote in reply leaves now rather than at the end of the pass: its chunk goes straight
        // back to the loop's free list, so a pass over thousands of ready connections needs one chunk, not one each.
        if (dirty || (ready & SelectionKey.OP_WRITE) != 0) {
            flushFromLoop();
        }
    }

    @Override
    public String describe() {
        return "connection " + remote + " (" + protocol.getClass().getName() + ")";
    }

    @Override
    public void closeForShutdown() {
        close(buffered == 0 ? DisconnectReason.DONE
                : new DisconnectReason.Lost(new IOException("the reactor stopped with " + buffered
                        + " bytes still unsent")));
    }

    @Override
    public void abortForShutdown() {
        if (!closed) {
            setOption(StandardSocketOptions.SO_LINGER, 0);
            close(new DisconnectReason.Lost(new IOException("the stop was cut short")));
        }
    }

    /** Sends what is queued; the end of the loop's pass skips a connection already flushed since it wrote. */
    void flushFromLoop() {
        dirty = false;
        if (!closed) {
            flush();
        }
    }

    boolean flushPending() {
        return dirty;
    }

    // ---- reading ----

    private void read() {
        ByteBuffer buffer = loop.readBuffer();
        for (int i = 0; i < MAX_READS_PER_EVENT && canDeliver(); i++) {
            buffer.clear();
            int n;
            try {
                n = channel.read(buffer);
            } catch (IOException e) {
                close(new DisconnectReason.Lost(e));
                return;
            }
            if (n < 0) {
                endOfStream();
                return;
            }
            if (n == 0) {
                return;
            }
            bytesRead += n;
            if (counters != null) {
                counters.add(countersBase + PortCounters.RECEIVED, n);
            }
            buffer.flip();
            callProtocol(() -> protocol.dataReceived(buffer));
            if (n < buffer.capacity()) {
                return;
            }
        }
    }

    private boolean canDeliver() {
        return !closed && !readPaused && !readEof && !disconnecting && abortReason == null;
    }

    private void endOfStream() {
        readEof = true;
        updateInterest();
        if (protocol instanceof HalfCloseableProtocol halfCloseable) {
            callProtocol(halfCloseable::readConnectionLost);
            if (outputShutdown) {
                close(DisconnectReason.DONE);
            }
        } else {
            // The peer is done: send what the protocol already queued, then close.
            loseConnection();
        }
    }

    // ---- writing ----

    private void rawWrite(ByteBuffer data) {
        loop.checkInLoop("Transport.write");
        int length = data.remaining();
        if (closed || disconnecting || outputShutdownRequested || abortReason != null) {
            data.position(data.limit());
            return;
        }
        if (length == 0) {
            return;
        }
        append(data);
        buffered += length;
        if (buffered > loop.options().maxBufferedBytes()) {
            loop.logger().log(Level.WARNING, "{0}: {1,number,#} bytes queued for a peer that does not read, over "
                    + "the limit of {2,number,#}; aborting the connection (register a Producer to write at the "
                    + "peer''s pace)",
                    describe(), buffered, loop.options().maxBufferedBytes());
            abort(new DisconnectReason.Lost(new IOException("peer too slow: more than "
                    + loop.options().maxBufferedBytes() + " bytes queued")));
            return;
        }
        if (producer != null && producerStreaming && !producerPaused
                && buffered > loop.options().highWaterMark()) {
            producerPaused = true;
            callProducer(producer::pauseProducing);
        }
        requestFlush();
    }

    /** Copies {@code data} to the end of the queue, filling the last chunk first. */
    private void append(ByteBuffer data) {
        WriteChunks chunks = loop.writeChunks();
        while (data.hasRemaining()) {
            ByteBuffer tail = queue.peekLast();
            if (tail == null || tail.limit() == tail.capacity()) {
                tail = chunks.take();
                queue.addLast(tail);
            }
            int start = tail.position();
            int room = tail.capacity() - tail.limit();
            tail.position(tail.limit()).limit(tail.capacity());
            if (data.remaining() <= room) {
                tail.put(data);
            } else {
                tail.put(data.slice(data.position(), room));
                data.position(data.position() + room);
            }
            tail.limit(tail.position()).position(start);
        }
    }

    private void requestFlush() {
        if (!dirty && !closed) {
            dirty = true;
            loop.markDirty(this);
        }
    }

    private void flush() {
        if (abortReason != null) {
            close(abortReason);
            return;
        }
        ByteBuffer[] gather = loop.gatherBuffers();
        while (!queue.isEmpty()) {
            int count = 0;
            for (ByteBuffer buffer : queue) {
                gather[count++] = buffer;
                if (count == gather.length) {
                    break;
                }
            }
            long written;
            try {
                // One chunk, the common case of small replies, goes by write(2): writev(2) costs more per call.
                written = count == 1 ? channel.write(gather[0]) : channel.write(gather, 0, count);
            } catch (IOException e) {
                close(new DisconnectReason.Lost(e));
                return;
            } finally {
                Arrays.fill(gather, 0, count, null);
            }
            buffered -= written;
            bytesWritten += written;
            if (counters != null) {
                counters.add(countersBase + PortCounters.SENT, written);
            }
            while (!queue.isEmpty() && !queue.peekFirst().hasRemaining()) {
                loop.writeChunks().give(queue.pollFirst());
            }
            if (written == 0 || !queue.isEmpty() && count < gather.length) {
                break;   // the socket is full
            }
        }
        updateInterest();
        if (queue.isEmpty()) {
            drained();
        } else if (producerPaused && buffered <= loop.options().lowWaterMark()) {
            resumeProducer();
        }
    }

    private void drained() {
        if (disconnecting) {
            close(DisconnectReason.DONE);
            return;
        }
        if (outputShutdownRequested && !outputShutdown) {
            outputShutdown = true;
            try {
                channel.shutdownOutput();
            } catch (IOException e) {
                close(new DisconnectReason.Lost(e));
                return;
            }
            if (readEof) {
                close(DisconnectReason.DONE);
                return;
            }
            if (protocol instanceof HalfCloseableProtocol halfCloseable) {
                callProtocol(halfCloseable::writeConnectionLost);
            }
            return;
        }
        if (producer != null && (producerPaused || !producerStreaming)) {
            resumeProducer();
        }
    }

    private void resumeProducer() {
        producerPaused = false;
        callProducer(producer::resumeProducing);
    }

    private void updateInterest() {
        if (closed) {
            return;
        }
        boolean reading = !readPaused && !readEof && !disconnecting;
        int ops = (reading ? SelectionKey.OP_READ : 0) | (queue.isEmpty() ? 0 : SelectionKey.OP_WRITE);
        if (ops != interestOps) {
            interestOps = ops;
            key.interestOps(ops);
        }
    }

    // ---- Transport ----

    @Override
    public void write(ByteBuffer data) {
        if (upgraded != null) {
            upgraded.write(data);
        } else {
            rawWrite(data);
        }
    }

    @Override
    public void loseConnection() {
        if (upgraded != null) {
            upgraded.loseConnection();
        } else {
            rawLoseConnection();
        }
    }

    @Override
    public void abortConnection() {
        if (upgraded != null) {
            upgraded.abortConnection();
        } else {
            rawAbortConnection();
        }
    }

    @Override
    public void shutdownOutput() {
        if (upgraded != null) {
            upgraded.shutdownOutput();
        } else {
            rawShutdownOutput();
        }
    }

    @Override
    public SocketAddress localAddress() {
        return upgraded != null ? upgraded.localAddress() : rawLocalAddress();
    }

    @Override
    public SocketAddress remoteAddress() {
        return upgraded != null ? upgraded.remoteAddress() : rawRemoteAddress();
    }

    @Override
    public void pauseReading() {
        if (upgraded != null) {
            upgraded.pauseReading();
        } else {
            rawPauseReading();
        }
    }

    @Override
    public void resumeReading() {
        if (upgraded != null) {
            upgraded.resumeReading();
        } else {
            rawResumeReading();
        }
    }

    @Override
    public boolean isReadingPaused() {
        return upgraded != null ? upgraded.isReadingPaused() : rawIsReadingPaused();
    }

    @Override
    public boolean isDisconnecting() {
        return upgraded != null ? upgraded.isDisconnecting() : rawIsDisconnecting();
    }

    @Override
    public void registerProducer(Producer newProducer, boolean streaming) {
        if (upgraded != null) {
            upgraded.registerProducer(newProducer, streaming);
        } else {
            rawRegisterProducer(newProducer, streaming);
        }
    }

    @Override
    public void unregisterProducer() {
        if (upgraded != null) {
            upgraded.unregisterProducer();
        } else {
            rawUnregisterProducer();
        }
    }

    @Override
    public long bufferedBytes() {
        return upgraded != null ? upgraded.bufferedBytes() : rawBufferedBytes();
    }

    @Override
    public <T> Optional<T> layer(Class<T> type) {
        return upgraded != null ? upgraded.layer(type) : Optional.empty();
    }

    /**
     * Upgrades the live connection: the protocol is put behind a {@link LayeredProtocol} that reads and writes
     * through this connection's own (raw) side, and the protocol's calls on this transport go through its layers.
     */
    @Override
    public void addLayer(Layer layer, ByteBuffer readAhead) {
        loop.checkInLoop("Transport.addLayer");
        if (upgraded == null) {
            LayeredProtocol layered = LayeredProtocol.upgrade(protocol, new Raw());
            protocol = layered;
            upgraded = layered.transport();
        }
        upgraded.addLayer(layer, readAhead);
    }


    private void rawLoseConnection() {
        loop.checkInLoop("Transport.loseConnection");
        if (closed || disconnecting) {
            return;
        }
        disconnecting = true;   // no more reading either: the protocol is done with this connection
        updateInterest();
        requestFlush();
    }

    private void rawAbortConnection() {
        loop.checkInLoop("Transport.abortConnection");
        abort(new DisconnectReason.Lost(new IOException("connection aborted")));
    }

    private void abort(DisconnectReason reason) {
        if (closed || abortReason != null) {
            return;
        }
        abortReason = reason;
        dropQueue();
        // A reset, not an orderly close: the peer must not take what it got so far for the whole stream.
        setOption(StandardSocketOptions.SO_LINGER, 0);
        requestFlush();
    }

    private void rawShutdownOutput() {
        loop.checkInLoop("Transport.shutdownOutput");
        if (closed || disconnecting || outputShutdownRequested) {
            return;
        }
        outputShutdownRequested = true;
        requestFlush();
    }

    private SocketAddress rawLocalAddress() {
        return local;
    }

    private SocketAddress rawRemoteAddress() {
        return remote;
    }

    private void rawPauseReading() {
        loop.checkInLoop("Transport.pauseReading");
        readPaused = true;
        updateInterest();
    }

    private void rawResumeReading() {
        loop.checkInLoop("Transport.resumeReading");
        if (!readPaused || closed) {
            readPaused = false;
            return;
        }
        readPaused = false;
        callProtocol(protocol::readingResumed);
        updateInterest();
    }

    private boolean rawIsReadingPaused() {
        return readPaused;
    }

    private boolean rawIsDisconnecting() {
        return closed || disconnecting || abortReason != null;
    }

    private void rawRegisterProducer(Producer newProducer, boolean streaming) {
        loop.checkInLoop("Transport.registerProducer");
        if (producer != null) {
            throw new IllegalStateException("a producer is already registered on " + describe()
                    + "; unregister it first");
        }
        producer = newProducer;
        producerStreaming = streaming;
        producerPaused = false;
        if (closed || disconnecting || abortReason != null) {
            callProducer(newProducer::stopProducing);
        } else if (streaming && buffered > loop.options().highWaterMark()) {
            producerPaused = true;
            callProducer(newProducer::pauseProducing);
        } else if (!streaming) {
            callProducer(newProducer::resumeProducing);
        }
    }

    private void rawUnregisterProducer() {
        loop.checkInLoop("Transport.unregisterProducer");
        producer = null;
        producerPaused = false;
    }

    private long rawBufferedBytes() {
        return buffered;
    }

    @Override
    public void setNoDelay(boolean noDelay) {
        setOption(StandardSocketOptions.TCP_NODELAY, noDelay);
    }

    @Override
    public void setKeepAlive(boolean keepAlive) {
        setOption(StandardSocketOptions.SO_KEEPALIVE, keepAlive);
    }

    private <T> void setOption(SocketOption<T> option, T value) {
        if (closed || !channel.supportedOptions().contains(option)) {
            return;
        }
        try {
            channel.setOption(option, value);
        } catch (IOException e) {
            loop.logger().log(Level.DEBUG, "{0}: setting {1} failed: {2}", describe(), option, e);
        }
    }

    @Override
    public Scheduler scheduler() {
        return loop.scheduler();
    }

    /** This connection without its added layers: what the layers write to and read from. */
    private final class Raw implements Transport {
        @Override
        public void write(ByteBuffer data) {
            rawWrite(data);
        }

        @Override
        public void loseConnection() {
            rawLoseConnection();
        }

        @Override
        public void abortConnection() {
            rawAbortConnection();
        }

        @Override
        public void shutdownOutput() {
            rawShutdownOutput();
        }

        @Override
        public boolean isDisconnecting() {
            return rawIsDisconnecting();
        }

        @Override
        public SocketAddress localAddress() {
            return rawLocalAddress();
        }

        @Override
        public SocketAddress remoteAddress() {
            return rawRemoteAddress();
        }

        @Override
        public void pauseReading() {
            rawPauseReading();
        }

        @Override
        public void resumeReading() {
            rawResumeReading();
        }

        @Override
        public boolean isReadingPaused() {
            return rawIsReadingPaused();
        }

        @Override
        public void registerProducer(Producer newProducer, boolean streaming) {
            rawRegisterProducer(newProducer, streaming);
        }

        @Override
        public void unregisterProducer() {
            rawUnregisterProducer();
        }

        @Override
        public long bufferedBytes() {
            return rawBufferedBytes();
        }

        @Override
        public void setNoDelay(boolean noDelay) {
            StreamConnection.this.setNoDelay(noDelay);
        }

        @Override
        public void setKeepAlive(boolean keepAlive) {
            StreamConnection.this.setKeepAlive(keepAlive);
        }

        @Override
        public Scheduler scheduler() {
            return StreamConnection.this.scheduler();
        }

        @Override
        public String toString() {
            return StreamConnection.this.toString();
        }
    }

    // ---- closing ----

    private void close(DisconnectReason reason) {
        if (closed) {
            return;
        }
        closed = true;
        dropQueue();
        if (key != null) {
            key.cancel();
        }
        try {
            channel.close();
        } catch (IOException e) {
            loop.logger().log(Level.DEBUG, "{0}: close failed: {1}", describe(), e);
        }
        Producer stopped = producer;
        producer = null;
        if (stopped != null) {
            callProducer(stopped::stopProducing);
        }
        loop.dispatch(() -> protocol.connectionLost(reason), this);
        if (clientFactory != null && !(protocol instanceof LayeredProtocol layered && layered.wasRefused())) {
            loop.dispatch(() -> clientFactory.connectionLost(remote, reason), this);
        }
        if (counters != null && protocol instanceof LayeredProtocol layered && !layered.wasPassedOn()) {
            counters.add(countersBase + PortCounters.REFUSED, 1);
        }
        loop.connectionClosed(this);
        ConnectionClosed.record(local, remote, bytesRead, bytesWritten,
                reason instanceof DisconnectReason.Lost(Throwable cause) ? cause : null);
    }

    private void dropQueue() {
        for (ByteBuffer chunk; (chunk = queue.pollFirst()) != null; ) {
            loop.writeChunks().give(chunk);
        }
        buffered = 0;
    }

    /**
     * Runs a protocol callback; if it throws what {@link Callbacks#isRecoverable} allows, the failure is logged and
     * only this connection is aborted; anything else stops the loop (see {@link EventLoop}).
     */
    private void callProtocol(Runnable callback) {
        try {
            callback.run();
        } catch (RuntimeException | Error e) {
            if (!Callbacks.isRecoverable(e)) {
                throw e;
            }
            loop.logger().log(Level.ERROR, describe() + ": protocol callback failed, closing this connection: "
                    + e, e);
            if (counters != null) {
                counters.add(countersBase + PortCounters.ERRORS, 1);
            }
            abort(new DisconnectReason.Lost(e));
        }
    }

    private void callProducer(Runnable callback) {
        callProtocol(callback);
    }
}
