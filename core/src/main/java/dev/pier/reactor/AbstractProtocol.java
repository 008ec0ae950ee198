package dev.pier.reactor;

import java.util.Objects;

/**
 * A base for protocols that keeps the connection's transport (Twisted's {@code Protocol} with its
 * {@code self.transport}). Subclasses override {@link #connectionMade()}, {@link #dataReceived} and
 * {@link #connectionLost}, and reach the peer through {@link #transport()}.
 *
 * <pre>{@code
 * class Greeter extends AbstractProtocol {
 *     protected void connectionMade() { transport().write("hello\r\n".getBytes(US_ASCII)); }
 *     public void dataReceived(ByteBuffer data) { transport().write(data); }
 * }
 * }</pre>
 */
public abstract class AbstractProtocol implements Protocol {

    private Transport transport;

    /** A protocol not yet connected. */
    protected AbstractProtocol() {}

    /** Keeps the transport, then calls {@link #connectionMade()}. */
    @Override
    public final void connectionMade(Transport transport) {
        this.transport = Objects.requireNonNull(transport, "transport");
        connectionMade();
    }

    /** The connection is up and {@link #transport()} is set. Does nothing by default. */
    protected void connectionMade() {}

    /**
     * The transport of this protocol's connection.
     *
     * @throws IllegalStateException before the connection is made
     */
    public final Transport transport() {
        if (transport == null) {
            throw new IllegalStateException("not connected yet: the transport is set before connectionMade()");
        }
        return transport;
    }

    /** True once the connection is closing or closed ({@link Transport#isDisconnecting()}). */
    protected final boolean isDisconnecting() {
        return transport != null && transport.isDisconnecting();
    }

    /** True while reading is paused ({@link Transport#isReadingPaused()}). */
    protected final boolean isReadingPaused() {
        return transport != null && transport.isReadingPaused();
    }
}
