package dev.pier.reactor;

import java.nio.ByteBuffer;

/**
 * One connection's behaviour in the event-driven model: the reactor calls it when the connection is made, when
 * bytes arrive and when the connection ends. A protocol knows nothing of sockets; it talks to its peer only
 * through the {@link Transport} it is given, so it can be tested with a fake transport and no network.
 *
 * <p>All callbacks run on the reactor's loop thread, one at a time, and must not block.
 *
 * <p><b>Who owns {@code data}:</b> the buffer passed to {@link #dataReceived} belongs to the transport and is
 * valid only until the callback returns; its contents are overwritten afterwards. Copy what you keep.
 *
 * <pre>{@code
 * class Echo implements Protocol {
 *     private Transport transport;
 *     public void connectionMade(Transport transport) { this.transport = transport; }
 *     public void dataReceived(ByteBuffer data) { transport.write(data); }
 * }
 * }</pre>
 */
public interface Protocol {

    /** The connection is up; {@code transport} is how this protocol writes, closes and learns addresses. */
    default void connectionMade(Transport transport) {}

    /** Bytes arrived, in any split the network chose; {@code data} is readable only during this call. */
    void dataReceived(ByteBuffer data);

    /**
     * Reading resumed after a pause: called before the transport reads again, so a protocol that buffered input
     * while paused handles it first. Does nothing by default.
     */
    default void readingResumed() {}

    /** The connection is gone, cleanly or not; the last callback this protocol receives. */
    default void connectionLost(DisconnectReason reason) {}
}
