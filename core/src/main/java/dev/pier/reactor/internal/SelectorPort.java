package dev.pier.reactor.internal;

import dev.pier.reactor.ListeningPort;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.nio.channels.Channel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A listening port whose channel the loop's selector watches (TCP, Unix stream, UDP): it registers on the loop
 * thread and closes exactly once, whether through {@link #stopListening()} or because the loop stops. Only a port
 * that got registered tells the loop it closed and stops what it serves; the subclass says what that is.
 *
 * @param <C> the bound channel
 */
abstract sealed class SelectorPort<C extends SelectableChannel & NetworkChannel> implements ListeningPort, Handler
        permits StreamPort, UdpPort {

    /** The loop this port lives on; everything but {@link #stopListening()} runs on its thread. */
    final EventLoop loop;
    /** The bound channel. */
    final C channel;
    /** The bound address, read once so it stays known after the channel is closed. */
    final SocketAddress address;
    private final int interestOps;
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private SelectionKey key;
    private boolean closed;

    /**
     * Takes over a bound, non-blocking {@code channel}; {@link #start()} registers it for {@code interestOps}.
     *
     * @throws IOException if the channel's address cannot be read
     */
    SelectorPort(EventLoop loop, C channel, int interestOps) throws IOException {
        this.loop = loop;
        this.channel = channel;
        this.address = channel.getLocalAddress();
        this.interestOps = interestOps;
    }

    /** Registers with the loop and starts serving; run on the loop thread, after the channel is bound. */
    final void start() {
        if (closed) {
            return;
        }
        try {
            key = loop.register(channel, interestOps, this);
        } catch (IOException e) {
            loop.logger().log(Level.ERROR, "cannot register " + describe() + ": " + e, e);
            closeChannel();
            return;
        }
        loop.portOpened(this);
        startServing();
    }

    /** Tells the factory or protocol behind the port that it now serves; the port is registered by then. */
    abstract void startServing();

    /** Tells the factory or protocol behind the port that it no longer serves; the channel is closed by then. */
    abstract void stopServing();

    /**
     * Takes what the socket has queued and would lose when it closes, just before it does; on the loop thread.
     * Default: nothing.
     */
    void takeQueued() {
    }

    /**
     * Frees whatever the port holds besides its channel, once that is closed; may be called more than once (a port
     * that failed to register is closed again when it is stopped).
     */
    abstract void channelClosed();

    /** The channel's selection key; null until {@link #start()} has registered it. */
    final SelectionKey key() {
        return key;
    }

    /** Whether the port has closed; nothing is accepted, received or sent after. */
    final boolean isClosed() {
        return closed;
    }

    @Override
    public final SocketAddress address() {
        return address;
    }

    @Override
    public final CompletionStage<Void> stopListening() {
        loop.runInLoop(this::closeForShutdown);
        return stopped.copy();
    }

    @Override
    public final void closeForShutdown() {
        if (closed) {
            return;
        }
        boolean registered = key != null;
        if (registered) {
            takeQueued();
        }
        closed = true;
        closeChannel();
        if (registered) {
            loop.portClosed(this);
            stopServing();
            // The descriptor is released when the selector deregisters the key, during the next select.
            loop.afterNextSelect(() -> stopped.complete(null));
        } else {
            stopped.complete(null);
        }
    }

    private void closeChannel() {
        if (key != null) {
            key.cancel();
        }
        closeQuietly(channel);
        channelClosed();
    }

    /** Closes {@code c}, logging rather than throwing if that fails: nothing is left to do about it. */
    final void closeQuietly(Channel c) {
        try {
            c.close();
        } catch (IOException e) {
            loop.logger().log(Level.DEBUG, "close failed: {0}", e);
        }
    }
}
