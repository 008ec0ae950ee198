package dev.pier.layer;

import dev.pier.reactor.Scheduler;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Runs a connection's layers between what lies below them (a reactor transport, a blocking socket, a fake) and what
 * lies above (a protocol, a handler's streams). This is the one place that moves events through layers; the
 * reactor drives it through {@link LayeredProtocol} and the blocking model through its handler streams. Its
 * methods must be called one at a time.
 */
public final class LayerStack {

    /** What lies below the layers: the socket, in whichever model. */
    public interface Below {
        /** Sends the remaining bytes of {@code data} (consumed). */
        void send(ByteBuffer data);

        /** Closes once everything sent is out. */
        void close();

        /** Ends output once everything sent is out. */
        void shutdownOutput();

        /** Closes now with a reset, because of {@code cause}. */
        void abort(Exception cause);

        /** Stops or resumes reading from the socket, for the layers' sake. */
        void setReadingPaused(boolean paused);

        /** A layer holds fewer bytes than before. */
        void heldBytesChanged();

        Scheduler scheduler();

        SocketAddress localAddress();

        SocketAddress remoteAddress();
    }

    /** What lies above the layers: the protocol or the handler. */
    public interface Above {
        void connectionMade();

        /** Bytes for the protocol, valid during the call. */
        void dataReceived(ByteBuffer data);

        /** The peer will send nothing more. */
        void inputEnded();
    }

    private Layer[] layers;
    private Link[] links;
    private final Below below;
    private final Above above;
    private boolean lost;
    private Exception refusal;

    /** A stack of {@code layers}, outermost first, between {@code below} and {@code above}. */
    public LayerStack(List<? extends Layer> layers, Below below, Above above) {
        this.layers = layers.toArray(Layer[]::new);
        this.below = Objects.requireNonNull(below, "below");
        this.above = Objects.requireNonNull(above, "above");
        this.links = new Link[this.layers.length];
        for (int i = 0; i < links.length; i++) {
            links[i] = new Link(i);
        }
    }

    /** Builds one layer per factory for a connection from {@code peer}. */
    public static List<Layer> newLayers(List<LayerFactory> factories, SocketAddress peer) {
        return factories.stream().map(factory -> Objects.requireNonNull(factory.newLayer(peer),
                "a layer factory returned null")).toList();
    }

    // ---- from below

    /** The connection is up. */
    public void connectionMade() {
        connectionMadeAt(0);
    }

    /** Bytes from the socket. */
    public void dataReceived(ByteBuffer data) {
        receivedAt(0, data);
    }

    /** The peer's end of stream. */
    public void inputEnded() {
        inputEndedAt(0);
    }

    /** The connection is gone: every layer is told once. */
    public void connectionLost() {
        if (lost) {
            return;
        }
        lost = true;
        RuntimeException failure = null;
        for (int i = layers.length - 1; i >= 0; i--) {
            try {
                layers[i].connectionLost(links[i]);
            } catch (RuntimeException e) {
                failure = failure == null ? e : failure;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    // ---- from above

    /** Bytes from the protocol, for the peer (consumed). */
    public void write(ByteBuffer data) {
        writeAt(layers.length - 1, data);
    }

    /** The protocol's {@code loseConnection}. */
    public void close() {
        closeAt(layers.length - 1);
    }

    /** The protocol's {@code shutdownOutput}. */
    public void shutdownOutput() {
        shutdownOutputAt(layers.length - 1);
    }

    /**
     * Adds {@code layer} inside the others, next to the protocol, on a connection already passed on (STARTTLS):
     * what was written before goes out as it was, what is written from now on goes through it. The protocol is not
     * told of the connection again.
     */
    public void addInnermost(Layer layer) {
        Objects.requireNonNull(layer, "layer");
        if (lost) {
            throw new IllegalStateException("the connection is gone: no layer can be added");
        }
        Link link = new Link(layers.length);
        link.connectionPassed = true;
        layers = Arrays.copyOf(layers, layers.length + 1);
        links = Arrays.copyOf(links, links.length + 1);
        layers[link.index] = layer;
        links[link.index] = link;
        layer.connectionMade(link);
    }

    /**
     * Bytes that had passed every layer but the innermost, added since (see {@link #addInnermost}): read ahead by
     * the protocol's side before the upgrade, they go through the new layer now.
     */
    public void receivedByInnermost(ByteBuffer data) {
        receivedAt(layers.length - 1, data);
    }

    /** The protocol's {@code abortConnection}: the layers let go, then the socket is reset. */
    public void abort(Exception cause) {
        connectionLost();
        below.abort(cause);
    }

    /** Bytes all layers hold. */
    public long heldBytes() {
        long held = 0;
        for (Layer layer : layers) {
            held += layer.heldBytes();
        }
        return held;
    }

    /** True while some layer wants reading paused. */
    public boolean isReadingPausedByLayers() {
        for (Link link : links) {
            if (link.readingPaused) {
                return true;
            }
        }
        return false;
    }

    /** This side's address as the protocol sees it. */
    public SocketAddress localAddress() {
        return links.length == 0 ? below.localAddress() : links[links.length - 1].upperLocal();
    }

    /** The peer's address as the protocol sees it. */
    public SocketAddress remoteAddress() {
        return links.length == 0 ? below.remoteAddress() : links[links.length - 1].upperRemote();
    }

    /** The layers, outermost first. */
    public List<Layer> layers() {
        return List.of(layers);
    }

    /** The innermost layer of the given type. */
    public <T> Optional<T> layer(Class<T> type) {
        for (int i = layers.length - 1; i >= 0; i--) {
            if (type.isInstance(layers[i])) {
                return Optional.of(type.cast(layers[i]));
            }
        }
        return Optional.empty();
    }

    /** Why a layer refused the connection, if one did. */
    public Optional<Exception> refusal() {
        return Optional.ofNullable(refusal);
    }

    /** True once the connection was lost or aborted. */
    public boolean isLost() {
        return lost;
    }

    // ---- moving events along

    private void connectionMadeAt(int index) {
        if (index < layers.length) {
            layers[index].connectionMade(links[index]);
        } else {
            above.connectionMade();
        }
    }

    private void receivedAt(int index, ByteBuffer data) {
        if (lost) {
            data.position(data.limit());
        } else if (index < layers.length) {
            layers[index].dataReceived(data, links[index]);
        } else {
            above.dataReceived(data);
        }
    }

    private void inputEndedAt(int index) {
        if (lost) {
            return;
        }
        if (index < layers.length) {
            layers[index].inputEnded(links[index]);
        } else {
            above.inputEnded();
        }
    }

    private void writeAt(int index, ByteBuffer data) {
        if (lost) {
            data.position(data.limit());
        } else if (index >= 0) {
            layers[index].write(data, links[index]);
        } else {
            below.send(data);
        }
    }

    private void closeAt(int index) {
        if (lost) {
            return;
        }
        if (index >= 0) {
            layers[index].closeRequested(links[index]);
        } else {
            below.close();
        }
    }

    private void shutdownOutputAt(int index) {
        if (lost) {
            return;
        }
        if (index >= 0) {
            layers[index].shutdownOutputRequested(links[index]);
        } else {
            below.shutdownOutput();
        }
    }

    /** The context of the layer at {@code index}. */
    private final class Link implements Layer.Context {
        private final int index;
        private boolean connectionPassed;
        private boolean readingPaused;
        private SocketAddress local;
        private SocketAddress remote;

        Link(int index) {
            this.index = index;
        }

        @Override
        public void passConnectionMade() {
            if (!connectionPassed && !lost) {
                connectionPassed = true;
                connectionMadeAt(index + 1);
            }
        }

        @Override
        public void passUp(ByteBuffer data) {
            if (!connectionPassed) {
                throw new IllegalStateException("layer " + layers[index]
                        + " passed data up before passing the connection on");
            }
            receivedAt(index + 1, data);
        }

        @Override
        public void passDown(ByteBuffer data) {
            writeAt(index - 1, data);
        }

        @Override
        public void passInputEnded() {
            if (connectionPassed) {
                inputEndedAt(index + 1);
            }
        }

        @Override
        public void passClose() {
            closeAt(index - 1);
        }

        @Override
        public void passShutdownOutput() {
            shutdownOutputAt(index - 1);
        }

        @Override
        public void abort(Exception cause) {
            if (!lost) {
                LayerStack.this.abort(cause);
            }
        }

        @Override
        public void refuse(Exception cause) {
            Objects.requireNonNull(cause, "cause");
            if (connectionPassed) {
                // Too late to refuse quietly (a layer added to a live connection): those above must hear why.
                abort(cause);
                return;
            }
            if (refusal == null) {
                refusal = cause;
            }
            closeAt(index - 1);
        }

        @Override
        public void pauseReading() {
            setPaused(true);
        }

        @Override
        public void resumeReading() {
            setPaused(false);
        }

        private void setPaused(boolean paused) {
            boolean before = isReadingPausedByLayers();
            readingPaused = paused;
            boolean after = isReadingPausedByLayers();
            if (before != after && !lost) {
                below.setReadingPaused(after);
            }
        }

        @Override
        public void heldBytesChanged() {
            if (!lost) {
                below.heldBytesChanged();
            }
        }

        @Override
        public Scheduler scheduler() {
            return below.scheduler();
        }

        @Override
        public SocketAddress localAddress() {
            return index == 0 ? below.localAddress() : links[index - 1].upperLocal();
        }

        @Override
        public SocketAddress remoteAddress() {
            return index == 0 ? below.remoteAddress() : links[index - 1].upperRemote();
        }

        @Override
        public void setAddresses(SocketAddress newLocal, SocketAddress newRemote) {
            this.local = Objects.requireNonNull(newLocal, "local");
            this.remote = Objects.requireNonNull(newRemote, "remote");
        }

        SocketAddress upperLocal() {
            return local != null ? local : localAddress();
        }

        SocketAddress upperRemote() {
            return remote != null ? remote : remoteAddress();
        }
    }
}
