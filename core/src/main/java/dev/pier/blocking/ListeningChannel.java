package dev.pier.blocking;

import dev.pier.binding.BindFailures;
import java.io.IOException;
import java.net.BindException;
import java.net.SocketAddress;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.Selector;
import java.time.Duration;

/**
 * The selectable socket a {@link StreamServer} or {@link UdpServer} serves on: the address asked for and the one
 * bound, and once the server is activated the selector that waits for requests, which shutdown() wakes.
 *
 * @param <C> a listening stream socket or a UDP socket
 */
final class ListeningChannel<C extends SelectableChannel & NetworkChannel> {

    /** Binds a channel to an address; servers differ in what they pass along (a backlog, say). */
    @FunctionalInterface
    interface Binding<C> {

        /** Binds {@code channel} to {@code address}. */
        void bind(C channel, SocketAddress address) throws IOException;
    }

    private final C channel;
    private final SocketAddress requestedAddress;
    private final int readyOperation;
    private volatile SocketAddress boundAddress;
    private volatile Selector selector;
    private volatile boolean bindCalled;

    /**
     * Takes over an unbound {@code channel} that is to serve at {@code requestedAddress}; a request is ready when
     * the channel is ready for {@code readyOperation}.
     */
    ListeningChannel(C channel, SocketAddress requestedAddress, int readyOperation) {
        this.channel = channel;
        this.requestedAddress = requestedAddress;
        this.readyOperation = readyOperation;
    }

    /**
     * Takes over {@code channel}, bound already (by another process, say systemd): {@link #bind} leaves it as it is.
     *
     * @throws IllegalArgumentException if it is not bound
     */
    static <C extends SelectableChannel & NetworkChannel> ListeningChannel<C> bound(C channel, int readyOperation)
            throws IOException {
        SocketAddress address = channel.getLocalAddress();
        if (address == null) {
            throw new IllegalArgumentException("the channel is not bound: " + channel);
        }
        ListeningChannel<C> listening = new ListeningChannel<>(channel, address, readyOperation);
        listening.boundAddress = address;
        return listening;
    }

    /** Whether the socket was bound before it was taken over, so that this never binds it. */
    boolean boundElsewhere() {
        return boundAddress != null && !bindCalled;
    }

    /** The socket. */
    C channel() {
        return channel;
    }

    /** The bound address once there is one, with port 0 resolved; before that the requested address. */
    SocketAddress address() {
        SocketAddress bound = boundAddress;
        return bound != null ? bound : requestedAddress;
    }

    /** Binds to the requested address with {@code binding}; a failure names the address and, if it is in use, why. */
    void bind(Binding<C> binding) throws IOException {
        if (boundAddress != null) {
            return;   // bound elsewhere, or in a forked child
        }
        bindCalled = true;
        try {
            binding.bind(channel, requestedAddress);
        } catch (BindException e) {
            throw BindFailures.failure(requestedAddress, e);
        }
        boundAddress = channel.getLocalAddress();
    }

    /** In a forked child, which never binds: the parent's bound address, as the adopted descriptor reports it. */
    void adoptBoundAddress(SocketAddress address) {
        boundAddress = address;
    }

    /** Whether {@link #activate()} has run: the socket is non-blocking and watched. */
    boolean isActivated() {
        return selector != null;
    }

    /** Puts the bound socket in non-blocking mode and starts watching it for requests. */
    void activate() throws IOException {
        Selector opened = Selector.open();
        try {
            channel.configureBlocking(false);
            channel.register(opened, readyOperation);
        } catch (IOException | RuntimeException e) {
            opened.close();
            throw e;
        }
        selector = opened;
    }

    /**
     * Waits as {@link BaseServer#awaitRequest} says: until the socket is ready (true), {@code timeout} passes
     * ({@code null}: no limit), a wake-up, or the server is closed (as by a handler calling close while the loop was
     * about to wait).
     *
     * @param server the server waiting, named if it was never activated
     */
    boolean await(Duration timeout, BaseServer<?> server) throws IOException {
        Selector watching = selector;
        if (watching == null) {
            throw new IllegalStateException(server + " is not activated: call bindAndActivate() first");
        }
        if (!watching.isOpen()) {
            return false;
        }
        try {
            int ready = timeout == null ? watching.select()
                    : timeout.isZero() ? watching.selectNow()
                    : watching.select(Math.max(1, timeout.toMillis()));
            watching.selectedKeys().clear();
            return ready > 0;
        } catch (ClosedSelectorException closedMeanwhile) {
            return false;
        }
    }

    /** Makes a running or the next {@link #await} return promptly; nothing to wake before activation. */
    void wakeUp() {
        Selector watching = selector;
        if (watching != null) {
            watching.wakeup();
        }
    }

    /** Stops watching, then closes the socket. */
    void close() throws IOException {
        try (Selector ignored = selector; channel) {
            // closes both, in reverse order
        }
    }
}
