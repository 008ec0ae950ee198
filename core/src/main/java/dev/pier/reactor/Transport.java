package dev.pier.reactor;

import dev.pier.layer.Layer;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * The writing end of one connection, handed to a {@link Protocol}. Writes never block: bytes are queued and sent
 * when the socket can take them. A transport knows nothing of the protocol above it.
 *
 * <p><b>Who owns written data:</b> {@link #write(ByteBuffer)} copies the buffer's remaining bytes before it
 * returns (and advances its position), so the caller may reuse the buffer at once. There is no reference
 * counting anywhere in Pier.
 *
 * <p>Methods may be called from the loop thread only, unless stated otherwise: those that change the connection
 * throw {@link IllegalStateException} on any other thread (hand the call to the loop with
 * {@code reactor.callFromThread}); the addresses may be read from anywhere.
 *
 * <pre>{@code
 * transport.write(ByteBuffer.wrap("hello\r\n".getBytes(US_ASCII)));
 * transport.loseConnection();   // closes after "hello" has been sent
 * }</pre>
 */
public interface Transport {

    /** Queues the remaining bytes of {@code data} (copied; the buffer is consumed). */
    void write(ByteBuffer data);

    /** Queues {@code data} (copied). */
    default void write(byte[] data) {
        write(ByteBuffer.wrap(data));
    }

    /** Queues each buffer in order, as one write each. */
    default void writeSequence(Iterable<ByteBuffer> data) {
        for (ByteBuffer buffer : data) {
            write(buffer);
        }
    }

    /** Closes the connection once everything queued has been sent; later writes are dropped. */
    void loseConnection();

    /**
     * Closes the connection now, dropping whatever is still queued. Over TCP the peer sees a reset, not an end of
     * stream, so it cannot take what it got for everything there was.
     */
    void abortConnection();

    /**
     * True once the connection is closing or closed: {@link #loseConnection} or {@link #abortConnection} was called,
     * or the connection ended. A protocol that parses buffered input stops delivering messages then.
     */
    boolean isDisconnecting();

    /** Half-closes: sends end-of-stream after the queued bytes while still reading (Twisted's loseWriteConnection). */
    void shutdownOutput();

    /** This side's address. */
    SocketAddress localAddress();

    /** The peer's address. */
    SocketAddress remoteAddress();

    /** Stops reading from the socket until {@link #resumeReading}; the peer's writes back up (backpressure). */
    void pauseReading();

    /**
     * Resumes reading after {@link #pauseReading}. The protocol's {@link Protocol#readingResumed} runs first, so
     * input it buffered is handled before new bytes are read; if it pauses again, reading stays paused.
     */
    void resumeReading();

    /** True while reading is paused, by the protocol or by a layer below it. */
    boolean isReadingPaused();

    /**
     * Registers the producer that feeds this transport: it is paused when the outgoing buffer passes the high-water
     * mark and resumed when it drains below the low-water mark. A non-streaming (pull) producer is asked for more
     * with {@link Producer#resumeProducing} each time the buffer empties. At most one producer at a time.
     */
    void registerProducer(Producer producer, boolean streaming);

    /** Removes the registered producer, if any. */
    void unregisterProducer();

    /** Bytes queued and not yet handed to the operating system. */
    long bufferedBytes();

    /** Sets TCP_NODELAY (ignored where the transport has no such option). */
    void setNoDelay(boolean noDelay);

    /** Sets SO_KEEPALIVE (ignored where the transport has no such option). */
    void setKeepAlive(boolean keepAlive);

    /** The timers of the loop this connection runs on, for timeouts and paced writes. */
    Scheduler scheduler();

    /**
     * The layer of this connection of the given type, if it has one (the innermost, if several): how a protocol
     * learns what a layer knows, such as a TLS session or the client a PROXY header named. See {@link dev.pier.layer.Layer}.
     */
    default <T> Optional<T> layer(Class<T> type) {
        return Optional.empty();
    }

    /**
     * Adds {@code layer} inside this connection's other layers, next to the protocol, on the live connection: what
     * was written before the call goes out as it was, what is written after goes through the layer. That is
     * STARTTLS: {@code transport.addLayer(tls.newLayer(transport.remoteAddress()), leftOver)} once the peer agreed.
     *
     * @param readAhead bytes the protocol received but has not handled (the rest of the read that carried the
     *                  command): they came after the switch, so they go through the new layer, never up as they
     *                  were; consumed. A {@code LineReceiver} passes them itself: use its {@code addLayer}.
     * @throws UnsupportedOperationException if this transport cannot take layers
     */
    default void addLayer(Layer layer, ByteBuffer readAhead) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot add layers");
    }
}
