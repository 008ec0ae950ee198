package dev.pier.layer;

import dev.pier.reactor.Scheduler;
import java.nio.ByteBuffer;
import java.net.SocketAddress;

/**
 * One layer of a connection, between its socket and the protocol or request handler that serves it: a TLS engine,
 * a PROXY header reader, a throttle, an idle timer. A layer sees the bytes going both ways and the connection's
 * events, and may pass them on, hold them, transform them or answer them itself. It does no I/O: it talks to its
 * neighbours through its {@link Context} only, so the same layer serves a reactor connection, a blocking handler's
 * streams and a {@code FakeTransport} in a test.
 *
 * <p>Layers stack, outermost (nearest the socket) first. Every method has a default that passes the event on
 * unchanged, so a layer overrides only what it changes. One connection's layer methods are called one at a time.
 *
 * <pre>{@code
 * // Upper-cases what the peer sends before the protocol sees it.
 * final class Shouting implements Layer {
 *     public void dataReceived(ByteBuffer data, Context context) {
 *         byte[] bytes = new byte[data.remaining()];
 *         data.get(bytes);
 *         context.passUp(ByteBuffer.wrap(new String(bytes, US_ASCII).toUpperCase(Locale.ROOT).getBytes(US_ASCII)));
 *     }
 * }
 * reactor.listenTcp(8000, LayeredProtocol.wrap(factory, List.of(peer -> new Shouting())));
 * }</pre>
 *
 * <p><b>Who owns the bytes:</b> a buffer handed to {@link #dataReceived} or {@link #write} is valid only during the
 * call; a layer that holds bytes copies them. {@link Context#passUp} lends its buffer the same way;
 * {@link Context#passDown} consumes its buffer's remaining bytes (they are copied or sent before it returns).
 */
public interface Layer {

    /**
     * The connection is up. Pass the event on (the default) to let the layers above and then the protocol start;
     * a layer that must see something first (a handshake, a header) passes it on later.
     */
    default void connectionMade(Context context) {
        context.passConnectionMade();
    }

    /** Bytes from the peer, through the layers below. */
    default void dataReceived(ByteBuffer data, Context context) {
        context.passUp(data);
    }

    /** Bytes for the peer, from the layers above. */
    default void write(ByteBuffer data, Context context) {
        context.passDown(data);
    }

    /** The peer will send nothing more (its end of stream reached this layer). */
    default void inputEnded(Context context) {
        context.passInputEnded();
    }

    /** The layers above asked to close once everything written is sent ({@code loseConnection}). */
    default void closeRequested(Context context) {
        context.passClose();
    }

    /** The layers above asked to end output once everything written is sent ({@code shutdownOutput}). */
    default void shutdownOutputRequested(Context context) {
        context.passShutdownOutput();
    }

    /** The connection is gone or is being aborted: release timers and held bytes. Called once, last. */
    default void connectionLost(Context context) {}

    /**
     * Bytes written through this layer and not yet passed down. They count in the transport's
     * {@code bufferedBytes()}, and a producer above is paused while any layer holds bytes; call
     * {@link Context#heldBytesChanged()} when the count falls.
     */
    default long heldBytes() {
        return 0;
    }

    /**
     * How a layer reaches its neighbours: "up" is towards the protocol, "down" towards the socket. Call it from the
     * layer's own methods or from its timers only.
     */
    interface Context {

        /** Tells the layers above, then the protocol, that the connection is made. Later calls do nothing. */
        void passConnectionMade();

        /** Hands bytes to the layer above (or the protocol) for the duration of the call. */
        void passUp(ByteBuffer data);

        /** Hands bytes to the layer below (or the socket); the buffer's remaining bytes are consumed. */
        void passDown(ByteBuffer data);

        /** Tells the layers above that the peer will send nothing more. */
        void passInputEnded();

        /** Asks the layers below to close once everything passed down is sent. */
        void passClose();

        /** Asks the layers below to end output once everything passed down is sent. */
        void passShutdownOutput();

        /** Closes the connection now with a reset; the protocol's {@code connectionLost} carries {@code cause}. */
        void abort(Exception cause);

        /**
         * Refuses the connection before passing it on: closes it once what this layer passed down is sent (a TLS
         * alert, say), without a reset. A client's factory hears {@code connectionFailed} with {@code cause}; a
         * blocking handler never starts.
         */
        void refuse(Exception cause);

        /** Stops reading from the socket for this layer's sake; the socket reads only when no one wants it paused. */
        void pauseReading();

        /** Withdraws this layer's {@link #pauseReading}. */
        void resumeReading();

        /** This layer's {@link Layer#heldBytes()} fell: a paused producer above may resume. */
        void heldBytesChanged();

        /** Timers on the connection's own thread (the reactor loop, or the blocking connection's lock). */
        Scheduler scheduler();

        /** This side's address as the layers below see it. */
        SocketAddress localAddress();

        /** The peer's address as the layers below see it. */
        SocketAddress remoteAddress();

        /**
         * Sets the addresses the layers above and the protocol see from now on: a PROXY header reader reports the
         * client's real address this way, before it passes the connection on.
         */
        void setAddresses(SocketAddress local, SocketAddress remote);
    }
}
