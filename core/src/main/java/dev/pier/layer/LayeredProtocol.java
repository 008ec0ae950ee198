package dev.pier.layer;

import dev.pier.reactor.ClientFactory;
import dev.pier.reactor.DisconnectReason;
import dev.pier.reactor.HalfCloseableProtocol;
import dev.pier.reactor.Producer;
import dev.pier.reactor.Protocol;
import dev.pier.reactor.ProtocolFactory;
import dev.pier.reactor.Scheduler;
import dev.pier.reactor.Transport;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A protocol run behind layers (Twisted's {@code ProtocolWrapper}, without a wrapper class per layer): to the
 * reactor's transport it is one protocol; to the protocol inside it is the transport, with the layers in between.
 *
 * <pre>{@code
 * // Every connection of the factory gets its own idle timer and read throttle, outermost first.
 * ProtocolFactory layered = LayeredProtocol.wrap(factory, List.of(idleTimer, readThrottle));
 * reactor.listenTcp(8000, layered);
 * }</pre>
 *
 * <p>A protocol that needs no layer never meets this class: nothing of it runs on a connection without layers.
 */
public final class LayeredProtocol implements HalfCloseableProtocol {

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final Protocol protocol;
    private final LayerStack stack;
    private final LayeredTransport top = new LayeredTransport();
    private final Inner inner = new Inner();
    /** Bytes the layers passed up while the protocol paused reading, and whether the input ended after them. */
    private final ArrayDeque<ByteBuffer> heldUp = new ArrayDeque<>();
    private boolean inputEndHeld;
    private boolean deliveringHeld;
    private Transport transport;
    private Exception abortCause;
    private Consumer<Exception> refused;
    private boolean made;
    private boolean protocolPausedReading;
    private boolean layersPausedReading;
    private boolean disconnecting;
    private boolean outputShutdown;
    private Producer producer;
    private boolean streaming;
    private boolean producerPaused;
    private boolean pausedByTransport;
    private boolean pullRequested;

    private LayeredProtocol(Protocol protocol, List<? extends Layer> layers) {
        this.protocol = Objects.requireNonNull(protocol, "protocol");
        this.stack = new LayerStack(List.copyOf(layers), new Socket(), inner);
    }

    /**
     * {@code protocol} behind {@code layers}, outermost first. If {@code protocol} is itself a layered protocol not
     * yet connected, the result is one protocol behind both sets of layers, these outside.
     */
    public static LayeredProtocol wrap(Protocol protocol, List<? extends Layer> layers) {
        if (protocol instanceof LayeredProtocol inner && inner.transport == null) {
            var all = new ArrayList<Layer>(layers);
            all.addAll(inner.layers());
            return new LayeredProtocol(inner.protocol, all);
        }
        return new LayeredProtocol(protocol, layers);
    }

    /**
     * {@code protocol}, already connected to {@code transport}, from now on behind layers added one by one with
     * {@link #transport()}{@code .addLayer} (it keeps a pause the protocol asked for): how a transport without layers upgrades a live connection (STARTTLS).
     * The protocol is not told of the connection again.
     */
    public static LayeredProtocol upgrade(Protocol protocol, Transport transport) {
        LayeredProtocol upgraded = new LayeredProtocol(protocol, List.of());
        upgraded.transport = Objects.requireNonNull(transport, "transport");
        upgraded.made = true;
        upgraded.protocolPausedReading = transport.isReadingPaused();
        return upgraded;
    }

    /** The transport the protocol inside is given: its calls go through the layers. */
    public Transport transport() {
        return top;
    }

    /** The layers of this protocol's connection, outermost first. */
    public List<Layer> layers() {
        return stack.layers();
    }

    /**
     * A factory whose protocols run behind new layers from {@code layers} (outermost first). A refusal
     * ({@code null}) is passed on; {@code startFactory}, {@code stopFactory} and {@code toString} are the wrapped
     * factory's.
     */
    public static ProtocolFactory wrap(ProtocolFactory factory, List<LayerFactory> layers) {
        return new WrappingFactory(factory, layers);
    }

    /**
     * A client factory whose protocols run behind new layers from {@code layers} (outermost first); what the factory
     * hears of connecting, failing and losing connections is passed on, and a connection its layers refused (a
     * failed TLS handshake) is a failed connection, as far as the client knows.
     */
    public static ClientFactory wrap(ClientFactory factory, List<LayerFactory> layers) {
        return new WrappingFactory(factory, layers);
    }

    /** Builds protocols behind layers and passes on everything else, to a client factory too if it wraps one. */
    private static final class WrappingFactory implements ClientFactory {
        private final ProtocolFactory factory;
        private final List<LayerFactory> layers;

        WrappingFactory(ProtocolFactory factory, List<LayerFactory> layers) {
            this.factory = Objects.requireNonNull(factory, "factory");
            this.layers = List.copyOf(layers);
        }

        @Override
        public Protocol buildProtocol(SocketAddress peer) {
            Protocol protocol = factory.buildProtocol(peer);
            if (protocol == null) {
                return null;
            }
            LayeredProtocol layered = wrap(protocol, LayerStack.newLayers(layers, peer));
            if (factory instanceof ClientFactory client) {
                layered.refused = cause -> client.connectionFailed(peer, cause);
            }
            return layered;
        }

        @Override
        public void startedConnecting(SocketAddress address) {
            if (factory instanceof ClientFactory client) {
                client.startedConnecting(address);
            }
        }

        @Override
        public void connectionFailed(SocketAddress address, Throwable cause) {
            if (factory instanceof ClientFactory client) {
                client.connectionFailed(address, cause);
            }
        }

        @Override
        public void connectionLost(SocketAddress address, DisconnectReason reason) {
            if (factory instanceof ClientFactory client) {
                client.connectionLost(address, reason);
            }
        }

        @Override
        public void startFactory() {
            factory.startFactory();
        }

        @Override
        public void stopFactory() {
            factory.stopFactory();
        }

        @Override
        public String toString() {
            return factory.toString();
        }
    }

    /**
     * True if a layer refused the connection before the protocol was told of it: a client factory heard
     * {@code connectionFailed} then, and is not told the connection was lost as well.
     */
    public boolean wasRefused() {
        return !made && stack.refusal().isPresent();
    }

    /**
     * True once the layers passed the connection on and the protocol inside heard {@code connectionMade}: a connection
     * closed before that was never served (a failed TLS handshake, a bad PROXY header, a peer gone meanwhile).
     */
    public boolean wasPassedOn() {
        return made;
    }

    /** The protocol inside the layers. */
    public Protocol protocol() {
        return protocol;
    }

    // ---- the transport's protocol

    @Override
    public void connectionMade(Transport transport) {
        this.transport = Objects.requireNonNull(transport, "transport");
        stack.connectionMade();
    }

    @Override
    public void dataReceived(ByteBuffer data) {
        stack.dataReceived(data);
    }

    @Override
    public void readConnectionLost() {
        stack.inputEnded();
    }

    @Override
    public void writeConnectionLost() {
        if (protocol instanceof HalfCloseableProtocol halfCloseable && made) {
            halfCloseable.writeConnectionLost();
        }
    }

    @Override
    public void connectionLost(DisconnectReason reason) {
        producer = null;   // the transport below stopped it through its gate
        heldUp.clear();
        inputEndHeld = false;
        try {
            stack.connectionLost();
        } finally {
            if (made) {
                protocol.connectionLost(abortCause == null ? reason : new DisconnectReason.Lost(abortCause));
            }
            if (!made && refused != null) {
                refused.accept(stack.refusal().orElseGet(() -> reason instanceof DisconnectReason.Lost lost
                        && lost.cause() instanceof Exception cause ? cause
                        : new IOException("the connection ended before its layers passed it on")));
            }
        }
    }

    @Override
    public String toString() {
        return protocol.toString();
    }

    // ---- reading

    private boolean readingPaused() {
        return protocolPausedReading || layersPausedReading;
    }

    private void readingChanged(boolean wasPaused) {
        boolean live = made && !stack.isLost();
        if (wasPaused && !readingPaused() && live) {
            protocol.readingResumed();
        }
        if (readingPaused()) {
            transport.pauseReading();
        } else {
            transport.resumeReading();
        }
    }

    // ---- writing: a producer above is paused while the transport wants it or a layer holds bytes

    private void updateProducer() {
        if (producer == null) {
            return;
        }
        boolean holding = stack.heldBytes() > 0;
        if (!streaming) {
            if (pullRequested && !holding) {
                pullRequested = false;
                producer.resumeProducing();
            }
            return;
        }
        boolean pause = pausedByTransport || holding;
        if (pause != producerPaused) {
            producerPaused = pause;
            if (pause) {
                producer.pauseProducing();
            } else {
                producer.resumeProducing();
            }
        }
    }

    /** What the layers see below them: the reactor's transport. */
    private final class Socket implements LayerStack.Below {
        @Override
        public void send(ByteBuffer data) {
            transport.write(data);
        }

        @Override
        public void close() {
            transport.loseConnection();
        }

        @Override
        public void shutdownOutput() {
            transport.shutdownOutput();
        }

        @Override
        public void abort(Exception cause) {
            if (abortCause == null) {
                abortCause = cause;
            }
            transport.abortConnection();
        }

        @Override
        public void setReadingPaused(boolean paused) {
            boolean wasPaused = readingPaused();
            layersPausedReading = paused;
            readingChanged(wasPaused);
        }

        @Override
        public void heldBytesChanged() {
            updateProducer();
        }

        @Override
        public Scheduler scheduler() {
            return transport.scheduler();
        }

        @Override
        public SocketAddress localAddress() {
            return transport.localAddress();
        }

        @Override
        public SocketAddress remoteAddress() {
            return transport.remoteAddress();
        }
    }

    /** What the layers see above them: the protocol. */
    private final class Inner implements LayerStack.Above {
        @Override
        public void connectionMade() {
            made = true;
            protocol.connectionMade(top);
        }

        /**
         * Bytes for the protocol. A layer may pass up several pieces of what it got in one call (a TLS layer, one
         * per record); those that come while the protocol paused reading wait for its resumeReading, as unread
         * bytes wait in the socket.
         */
        @Override
        public void dataReceived(ByteBuffer data) {
            if (protocolPausedReading || !heldUp.isEmpty()) {
                if (data.hasRemaining()) {
                    ByteBuffer copy = ByteBuffer.allocate(data.remaining());
                    copy.put(data).flip();
                    heldUp.add(copy);
                }
                return;
            }
            protocol.dataReceived(data);
        }

        @Override
        public void inputEnded() {
            if (protocolPausedReading || !heldUp.isEmpty()) {
                inputEndHeld = true;   // after the bytes before it
                return;
            }
            endInput();
        }

        /** Passes up what waited while the protocol paused reading, until it pauses again. */
        void deliverHeld() {
            if (deliveringHeld) {
                return;   // a resume from inside the protocol: the loop below goes on after it
            }
            deliveringHeld = true;
            try {
                while (!protocolPausedReading && !heldUp.isEmpty() && !stack.isLost()) {
                    protocol.dataReceived(heldUp.poll());
                }
                if (inputEndHeld && !protocolPausedReading && heldUp.isEmpty() && !stack.isLost()) {
                    inputEndHeld = false;
                    endInput();
                }
            } finally {
                deliveringHeld = false;
            }
        }

        private void endInput() {
            if (protocol instanceof HalfCloseableProtocol halfCloseable) {
                halfCloseable.readConnectionLost();
            } else {
                top.loseConnection();   // as the reactor does for a protocol that cannot half-close
            }
        }
    }

    /**
     * The transport the protocol is given: its calls go through the layers. A call that changes the connection is
     * first checked against the transport's thread rule, before any layer or flag moves: a refused call from another
     * thread must leave the connection as it was.
     */
    private final class LayeredTransport implements Transport {

        /** Throws what the transport below throws for a call from a thread it refuses (an empty write changes nothing). */
        private void checkThread() {
            transport.write(EMPTY);
        }

        @Override
        public void write(ByteBuffer data) {
            checkThread();
            if (disconnecting || outputShutdown || stack.isLost() || !data.hasRemaining()) {
                data.position(data.limit());
                return;
            }
            stack.write(data);
            updateProducer();
        }

        @Override
        public void loseConnection() {
            checkThread();
            if (!disconnecting) {
                disconnecting = true;
                stack.close();
            }
        }

        @Override
        public void abortConnection() {
            checkThread();
            disconnecting = true;
            if (!stack.isLost()) {
                stack.abort(new IOException("connection aborted"));
            }
        }

        @Override
        public void shutdownOutput() {
            checkThread();
            if (!outputShutdown && !disconnecting) {
                outputShutdown = true;
                stack.shutdownOutput();
            }
        }

        @Override
        public boolean isDisconnecting() {
            return disconnecting || stack.isLost() || transport.isDisconnecting();
        }

        @Override
        public SocketAddress localAddress() {
            return stack.localAddress();
        }

        @Override
        public SocketAddress remoteAddress() {
            return stack.remoteAddress();
        }

        @Override
        public void pauseReading() {
            checkThread();
            boolean wasPaused = readingPaused();
            protocolPausedReading = true;
            readingChanged(wasPaused);
        }

        @Override
        public void resumeReading() {
            checkThread();
            boolean wasPaused = readingPaused();
            protocolPausedReading = false;
            readingChanged(wasPaused);
            inner.deliverHeld();
        }

        @Override
        public boolean isReadingPaused() {
            return readingPaused();
        }

        @Override
        public void registerProducer(Producer newProducer, boolean isStreaming) {
            checkThread();
            if (producer != null) {
                throw new IllegalStateException("a producer is already registered: unregister it first");
            }
            producer = Objects.requireNonNull(newProducer, "producer");
            streaming = isStreaming;
            producerPaused = false;
            pausedByTransport = false;
            pullRequested = false;
            transport.registerProducer(new ProducerGate(), isStreaming);
            updateProducer();
        }

        @Override
        public void unregisterProducer() {
            checkThread();
            producer = null;
            transport.unregisterProducer();
        }

        @Override
        public long bufferedBytes() {
            return transport.bufferedBytes() + stack.heldBytes();
        }

        @Override
        public void setNoDelay(boolean noDelay) {
            transport.setNoDelay(noDelay);
        }

        @Override
        public void setKeepAlive(boolean keepAlive) {
            transport.setKeepAlive(keepAlive);
        }

        @Override
        public Scheduler scheduler() {
            return transport.scheduler();
        }

        @Override
        public <T> Optional<T> layer(Class<T> type) {
            return stack.layer(type);
        }

        @Override
        public void addLayer(Layer layer, ByteBuffer readAhead) {
            stack.addInnermost(layer);
            if (readAhead.hasRemaining()) {
                stack.receivedByInnermost(readAhead);
            }
            updateProducer();
        }

        @Override
        public String toString() {
            return transport.toString();
        }
    }

    /** Stands between the reactor's transport and the protocol's producer. */
    private final class ProducerGate implements Producer {
        @Override
        public void pauseProducing() {
            pausedByTransport = true;
            updateProducer();
        }

        @Override
        public void resumeProducing() {
            if (streaming) {
                pausedByTransport = false;
            } else {
                pullRequested = true;
            }
            updateProducer();
        }

        @Override
        public void stopProducing() {
            if (producer != null) {
                producer.stopProducing();
            }
        }
    }
}
