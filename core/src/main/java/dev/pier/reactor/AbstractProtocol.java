package dev.pier.reactor;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
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
 *
 * <p>{@link #transport()} returns a thin view of the real transport that remembers whether this protocol asked to
 * close the connection ({@link #isDisconnecting()}) or paused reading ({@link #isReadingPaused()}), so protocols
 * that parse buffered input (line and netstring receivers) stop delivering messages at once when that happens.
 */
public abstract class AbstractProtocol implements Protocol {

    private ConnectionTransport transport;

    /** A protocol not yet connected. */
    protected AbstractProtocol() {}

    /** Keeps the transport, then calls {@link #connectionMade()}. */
    @Override
    public final void connectionMade(Transport transport) {
        this.transport = new ConnectionTransport(Objects.requireNonNull(transport, "transport"));
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

    /** True once {@link Transport#loseConnection} or {@link Transport#abortConnection} was called on {@link #transport()}. */
    protected final boolean isDisconnecting() {
        return transport != null && transport.disconnecting;
    }

    /** True between {@link Transport#pauseReading} and {@link Transport#resumeReading} calls on {@link #transport()}. */
    protected final boolean isReadingPaused() {
        return transport != null && transport.readingPaused;
    }

    /**
     * Reading was resumed through {@link #transport()}; called before the real transport resumes reading, so input
     * already buffered by this protocol is handled first. If this hook pauses reading again, the real transport stays
     * paused. Does nothing by default.
     */
    protected void readingResumed() {}

    private final class ConnectionTransport implements Transport {
        private final Transport delegate;
        private boolean disconnecting;
        private boolean readingPaused;

        ConnectionTransport(Transport delegate) {
            this.delegate = delegate;
        }

        @Override
        public void write(ByteBuffer data) {
            delegate.write(data);
        }

        @Override
        public void write(byte[] data) {
            delegate.write(data);
        }

        @Override
        public void writeSequence(Iterable<ByteBuffer> data) {
            delegate.writeSequence(data);
        }

        @Override
        public void loseConnection() {
            disconnecting = true;
            delegate.loseConnection();
        }

        @Override
        public void abortConnection() {
            disconnecting = true;
            delegate.abortConnection();
        }

        @Override
        public void shutdownOutput() {
            delegate.shutdownOutput();
        }

        @Override
        public SocketAddress localAddress() {
            return delegate.localAddress();
        }

        @Override
        public SocketAddress remoteAddress() {
            return delegate.remoteAddress();
        }

        @Override
        public void pauseReading() {
            readingPaused = true;
            delegate.pauseReading();
        }

        @Override
        public void resumeReading() {
            readingPaused = false;
            readingResumed();
            if (!readingPaused) {
                delegate.resumeReading();
            }
        }

        @Override
        public void registerProducer(Producer producer, boolean streaming) {
            delegate.registerProducer(producer, streaming);
        }

        @Override
        public void unregisterProducer() {
            delegate.unregisterProducer();
        }

        @Override
        public long bufferedBytes() {
            return delegate.bufferedBytes();
        }

        @Override
        public void setNoDelay(boolean noDelay) {
            delegate.setNoDelay(noDelay);
        }

        @Override
        public void setKeepAlive(boolean keepAlive) {
            delegate.setKeepAlive(keepAlive);
        }

        @Override
        public Scheduler scheduler() {
            return delegate.scheduler();
        }

        @Override
        public String toString() {
            return delegate.toString();
        }
    }
}
