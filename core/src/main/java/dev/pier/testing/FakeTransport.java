package dev.pier.testing;

import dev.pier.reactor.DisconnectReason;
import dev.pier.reactor.Producer;
import dev.pier.reactor.Protocol;
import dev.pier.reactor.Scheduler;
import dev.pier.reactor.Transport;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A {@link Transport} with no network behind it, to test a {@link Protocol} (Twisted's {@code StringTransport},
 * Netty's {@code EmbeddedChannel}). It records what the protocol writes and every close, pause and producer call,
 * and drives the protocol's callbacks on the test thread.
 *
 * <pre>{@code
 * FakeTransport transport = FakeTransport.connect(new MyLineProtocol());   // connectionMade
 * transport.receive("HELO\r\nQU", "IT\r\n");                           // two dataReceived calls
 * assertEquals("250 hi\r\n221 bye\r\n", transport.writtenString());
 * assertTrue(transport.isDisconnecting());                               // the protocol called loseConnection
 * transport.disconnect(DisconnectReason.DONE);                           // connectionLost
 * }</pre>
 *
 * <p><b>Received data:</b> each chunk is passed in a fresh buffer that is overwritten after the callback returns,
 * so a protocol that keeps a reference to it instead of copying fails its tests. While reading is paused
 * ({@link #pauseReading}), received chunks wait and are delivered on {@link #resumeReading}.
 *
 * <p><b>Simulated send buffer:</b> by default written bytes count as sent at once ({@link #bufferedBytes()} is 0).
 * After {@code setAutoFlush(false)} they stay buffered until {@link #flush()}: a streaming producer is paused when
 * the buffer passes the high-water mark and resumed when a flush takes it to the low-water mark or below; a pull
 * producer is asked for more on registration and on every flush.
 */
public final class FakeTransport implements Transport {

    private static final byte POISON = (byte) 0xEE;

    private final Scheduler scheduler;
    private final ByteArrayOutputStream written = new ByteArrayOutputStream();
    private final ByteArrayOutputStream outgoing = new ByteArrayOutputStream();
    private final ArrayDeque<byte[]> pendingReceives = new ArrayDeque<>();
    private SocketAddress localAddress = new InetSocketAddress(InetAddress.getLoopbackAddress(), 8000);
    private SocketAddress remoteAddress = new InetSocketAddress(InetAddress.getLoopbackAddress(), 54321);
    private Protocol protocol;
    private boolean connectionLost;
    private boolean disconnecting;
    private boolean aborted;
    private boolean outputShutdown;
    private boolean readingPaused;
    private boolean delivering;
    private boolean noDelay;
    private boolean keepAlive;
    private boolean autoFlush = true;
    private long buffered;
    private long highWaterMark = 64 * 1024;
    private long lowWaterMark = 16 * 1024;
    private Consumer<DisconnectReason> afterLoss = reason -> {};
    private Producer producer;
    private boolean streamingProducer;
    private boolean producerPaused;

    /** A transport on a new {@link ManualClock}. */
    public FakeTransport() {
        this(new ManualClock());
    }

    /** A transport whose {@link #scheduler()} is {@code scheduler}. */
    public FakeTransport(Scheduler scheduler) {
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    }

    /** A new transport on a new {@link ManualClock}, connected to {@code protocol} (its connectionMade has run). */
    public static FakeTransport connect(Protocol protocol) {
        return new FakeTransport().makeConnection(protocol);
    }

    /** A new transport on {@code scheduler}, connected to {@code protocol} (its connectionMade has run). */
    public static FakeTransport connect(Protocol protocol, Scheduler scheduler) {
        return new FakeTransport(scheduler).makeConnection(protocol);
    }

    /** Connects {@code protocol} to this transport: calls its {@code connectionMade(this)}. */
    public FakeTransport makeConnection(Protocol protocol) {
        if (this.protocol != null) {
            throw new IllegalStateException("this transport is already connected to " + this.protocol);
        }
        this.protocol = Objects.requireNonNull(protocol, "protocol");
        protocol.connectionMade(this);
        return this;
    }

    /** Sets the address {@link #localAddress()} reports; call before connecting. */
    public FakeTransport setLocalAddress(SocketAddress address) {
        this.localAddress = Objects.requireNonNull(address, "address");
        return this;
    }

    /** Sets the address {@link #remoteAddress()} reports; call before connecting. */
    public FakeTransport setRemoteAddress(SocketAddress address) {
        this.remoteAddress = Objects.requireNonNull(address, "address");
        return this;
    }

    /** The protocol this transport is connected to, or {@code null} before {@link #makeConnection}. */
    public Protocol protocol() {
        return protocol;
    }

    // ---- driving the protocol

    /**
     * Feeds each chunk to the protocol's {@code dataReceived}, one call per chunk, in order. While reading is paused
     * the chunks wait for {@link #resumeReading}. An empty chunk is delivered as an empty buffer.
     */
    public FakeTransport receive(byte[]... chunks) {
        requireOpen();
        for (byte[] chunk : chunks) {
            pendingReceives.add(chunk.clone());
        }
        deliverPending();
        return this;
    }

    /** Feeds each chunk, encoded in UTF-8, to the protocol's {@code dataReceived}, one call per chunk. */
    public FakeTransport receive(String... chunks) {
        byte[][] encoded = new byte[chunks.length][];
        for (int i = 0; i < chunks.length; i++) {
            encoded[i] = chunks[i].getBytes(StandardCharsets.UTF_8);
        }
        return receive(encoded);
    }

    /** Chunks received while reading was paused and not delivered yet. */
    public int pendingReceiveCount() {
        return pendingReceives.size();
    }

    /**
     * Ends the connection: stops the registered producer and calls the protocol's {@code connectionLost(reason)}.
     * Later calls do nothing.
     */
    public void disconnect(DisconnectReason reason) {
        Objects.requireNonNull(reason, "reason");
        if (protocol == null) {
            throw new IllegalStateException("not connected: call makeConnection first");
        }
        if (connectionLost) {
            return;
        }
        connectionLost = true;
        pendingReceives.clear();
        if (producer != null) {
            Producer stopping = producer;
            producer = null;
            stopping.stopProducing();
        }
        protocol.connectionLost(reason);
        afterLoss.accept(reason);
    }

    /** Runs {@code action} after the protocol's connectionLost: a memory reactor tells the client factory then. */
    void afterLoss(Consumer<DisconnectReason> action) {
        afterLoss = Objects.requireNonNull(action, "action");
    }

    /** {@code disconnect(DisconnectReason.DONE)}: a clean close. */
    public void disconnect() {
        disconnect(DisconnectReason.DONE);
    }

    private void deliverPending() {
        if (delivering) {
            return; // the outer delivery loop picks the chunks up, in order
        }
        delivering = true;
        try {
            byte[] chunk;
            while (!readingPaused && !connectionLost && (chunk = pendingReceives.poll()) != null) {
                try {
                    protocol.dataReceived(ByteBuffer.wrap(chunk));
                } finally {
                    Arrays.fill(chunk, POISON);
                }
            }
        } finally {
            delivering = false;
        }
    }

    private void requireOpen() {
        if (protocol == null) {
            throw new IllegalStateException("not connected: call makeConnection first");
        }
        if (connectionLost) {
            throw new IllegalStateException("the connection was already lost: nothing can be received");
        }
    }

    // ---- what the protocol did

    /** Every byte the protocol wrote (and that was not dropped after a close), in order. */
    public byte[] written() {
        return written.toByteArray();
    }

    /** {@link #written()} decoded with {@code charset}. */
    public String writtenString(Charset charset) {
        return written.toString(charset);
    }

    /** {@link #written()} decoded as UTF-8. */
    public String writtenString() {
        return writtenString(StandardCharsets.UTF_8);
    }

    /** The bytes written since the last call, for a {@link FakeConnection} to pass to the peer. */
    byte[] takeOutgoing() {
        byte[] bytes = outgoing.toByteArray();
        outgoing.reset();
        return bytes;
    }

    /** Forgets what was written so far. */
    public void clear() {
        written.reset();
    }

    /** True once the protocol called {@link #loseConnection} or {@link #abortConnection}, or after {@link #disconnect}. */
    @Override
    public boolean isDisconnecting() {
        return disconnecting || connectionLost;
    }

    /** True once the protocol called {@link #abortConnection}. */
    public boolean isAborted() {
        return aborted;
    }

    /** True once the protocol called {@link #shutdownOutput}. */
    public boolean isOutputShutdown() {
        return outputShutdown;
    }

    /** True once {@link #disconnect} delivered {@code connectionLost}. */
    public boolean isConnectionLost() {
        return connectionLost;
    }

    /** True between {@link #pauseReading} and {@link #resumeReading}. */
    @Override
    public boolean isReadingPaused() {
        return readingPaused;
    }

    /** The last value passed to {@link #setNoDelay}. */
    public boolean noDelay() {
        return noDelay;
    }

    /** The last value passed to {@link #setKeepAlive}. */
    public boolean keepAlive() {
        return keepAlive;
    }

    /** The registered producer, or {@code null}. */
    public Producer producer() {
        return producer;
    }

    /** Whether the registered producer is a streaming (push) one. */
    public boolean isStreamingProducer() {
        return streamingProducer;
    }

    /** The {@link #scheduler()} as a {@link ManualClock}. */
    public ManualClock clock() {
        if (scheduler instanceof ManualClock clock) {
            return clock;
        }
        throw new IllegalStateException("this transport runs on " + scheduler + ", not on a ManualClock");
    }

    // ---- simulated send buffer

    /** With {@code false}, written bytes stay in {@link #bufferedBytes()} until {@link #flush()}. */
    public FakeTransport setAutoFlush(boolean autoFlush) {
        this.autoFlush = autoFlush;
        if (autoFlush) {
            flush();
        }
        return this;
    }

    /** Sets when a streaming producer is paused (buffer above {@code high}) and resumed (at or below {@code low}). */
    public FakeTransport setWaterMarks(long low, long high) {
        if (low < 0 || high < low) {
            throw new IllegalArgumentException("water marks must satisfy 0 <= low <= high, got " + low + ", " + high);
        }
        this.lowWaterMark = low;
        this.highWaterMark = high;
        return this;
    }

    /** Counts every buffered byte as sent, then resumes or asks the producer for more, as a real socket would. */
    public void flush() {
        buffered = 0;
        if (producer == null || disconnecting) {
            return;
        }
        if (!streamingProducer) {
            producer.resumeProducing();
        } else if (producerPaused) {
            producerPaused = false;
            producer.resumeProducing();
        }
    }

    // ---- Transport

    @Override
    public void write(ByteBuffer data) {
        if (disconnecting || outputShutdown) {
            data.position(data.limit());
            return;
        }
        int length = data.remaining();
        byte[] copy = new byte[length];
        data.get(copy);
        written.writeBytes(copy);
        outgoing.writeBytes(copy);
        if (!autoFlush) {
            buffered += length;
            if (producer != null && streamingProducer && !producerPaused && buffered > highWaterMark) {
                producerPaused = true;
                producer.pauseProducing();
            }
        }
    }

    @Override
    public void loseConnection() {
        disconnecting = true;
    }

    @Override
    public void abortConnection() {
        disconnecting = true;
        aborted = true;
        buffered = 0;
        outgoing.reset();
    }

    @Override
    public void shutdownOutput() {
        outputShutdown = true;
    }

    @Override
    public SocketAddress localAddress() {
        return localAddress;
    }

    @Override
    public SocketAddress remoteAddress() {
        return remoteAddress;
    }

    @Override
    public void pauseReading() {
        readingPaused = true;
    }

    @Override
    public void resumeReading() {
        if (!readingPaused) {
            return;
        }
        readingPaused = false;
        if (protocol != null && !connectionLost) {
            protocol.readingResumed();
            if (!readingPaused) {
                deliverPending();
            }
        }
    }

    @Override
    public void registerProducer(Producer producer, boolean streaming) {
        Objects.requireNonNull(producer, "producer");
        if (this.producer != null) {
            throw new IllegalStateException("a producer is already registered: unregister it first");
        }
        this.producer = producer;
        this.streamingProducer = streaming;
        this.producerPaused = false;
        if (!streaming) {
            producer.resumeProducing();
        } else if (buffered > highWaterMark) {
            producerPaused = true;
            producer.pauseProducing();
        }
    }

    @Override
    public void unregisterProducer() {
        producer = null;
        producerPaused = false;
    }

    @Override
    public long bufferedBytes() {
        return buffered;
    }

    @Override
    public void setNoDelay(boolean noDelay) {
        this.noDelay = noDelay;
    }

    @Override
    public void setKeepAlive(boolean keepAlive) {
        this.keepAlive = keepAlive;
    }

    @Override
    public Scheduler scheduler() {
        return scheduler;
    }

    @Override
    public String toString() {
        return "FakeTransport[" + localAddress + " <- " + remoteAddress + "]";
    }
}
