package dev.pier.reactor.internal;

import dev.pier.reactor.ClientFactory;
import dev.pier.reactor.DelayedCall;
import dev.pier.reactor.Protocol;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;

/**
 * One outgoing connection attempt. The returned future completes with the protocol once {@code connectionMade}
 * returned; cancelling it (or the timeout) closes the socket and tells the factory {@code connectionFailed}.
 */
final class Connector implements Handler {

    private final EventLoop loop;
    private final ProtocolFamily family;
    private final SocketAddress target;
    private final SocketAddress bindAddress;
    private final ClientFactory factory;
    private final Duration timeout;
    private final CompletableFuture<Protocol> result;
    private SocketChannel channel;
    private SelectionKey key;
    private DelayedCall timer;
    private boolean done;

    Connector(EventLoop loop, ProtocolFamily family, SocketAddress target, SocketAddress bindAddress,
              ClientFactory factory, Duration timeout, CompletableFuture<Protocol> result) {
        this.loop = loop;
        this.family = family;
        this.target = target;
        this.bindAddress = bindAddress;
        this.factory = factory;
        this.timeout = timeout;
        this.result = result;
    }

    /**
     * Connects to {@code target} on {@code loop}; an unresolved {@link InetSocketAddress} is resolved on a virtual
     * thread first, so a slow DNS lookup never holds the loop. Cancelling the returned future abandons the attempt.
     */
    static CompletableFuture<Protocol> connect(EventLoop loop, ProtocolFamily family, SocketAddress target,
                                               SocketAddress bindAddress, ClientFactory factory, Duration timeout) {
        CompletableFuture<Protocol> result = new CompletableFuture<>();
        if (target instanceof InetSocketAddress inet && inet.isUnresolved()) {
            Thread.ofVirtual().name("pier-resolve").start(() -> {
                InetSocketAddress resolved = new InetSocketAddress(inet.getHostString(), inet.getPort());
                loop.execute(() -> new Connector(loop, family, resolved, bindAddress, factory, timeout, result)
                        .start());
            });
        } else {
            loop.runInLoop(() -> new Connector(loop, family, target, bindAddress, factory, timeout, result).start());
        }
        return result;
    }

    /** Starts connecting, or fails at once if the future was cancelled meanwhile; runs on the loop thread. */
    private void start() {
        result.whenComplete((protocol, error) -> {
            if (error instanceof CancellationException) {
                loop.runInLoop(this::cancelled);
            }
        });
        if (target instanceof InetSocketAddress inet && inet.isUnresolved()) {
            fail(new UnknownHostException("cannot resolve host " + inet.getHostString()));
            return;
        }
        if (result.isDone()) {
            fail(new CancellationException("the connection attempt to " + target + " was cancelled"));
            return;
        }
        loop.connectingStarted(this);
        loop.dispatch(() -> factory.startedConnecting(target), this);
        try {
            channel = family == null ? SocketChannel.open() : SocketChannel.open(family);
            channel.configureBlocking(false);
            if (bindAddress != null) {
                channel.bind(bindAddress);
            }
            if (!channel.connect(target)) {
                key = loop.register(channel, SelectionKey.OP_CONNECT, this);
            }
        } catch (IOException e) {
            fail(e);
            return;
        }
        if (key == null) {
            connected(null);
            return;
        }
        if (timeout != null) {
            timer = loop.callLater(timeout, () -> fail(new ConnectException(
                    "connecting to " + target + " timed out after " + timeout.toMillis() + " ms")));
        }
    }

    /** Abandons the attempt because the future was cancelled; runs on the loop thread. */
    private void cancelled() {
        fail(new CancellationException("the connection attempt to " + target + " was cancelled"));
    }

    @Override
    public void ready(SelectionKey readyKey) {
        boolean finished;
        try {
            finished = channel.finishConnect();
        } catch (IOException e) {
            fail(e);
            return;
        }
        if (finished) {
            connected(readyKey);
        }
    }

    private void connected(SelectionKey existingKey) {
        if (done) {
            return;
        }
        SocketAddress remote;
        SocketAddress local;
        try {
            if (channel.supportedOptions().contains(StandardSocketOptions.TCP_NODELAY)) {
                channel.setOption(StandardSocketOptions.TCP_NODELAY, loop.options().tcpNoDelay());
            }
            remote = channel.getRemoteAddress();
            local = channel.getLocalAddress();
        } catch (IOException e) {
            fail(e);
            return;
        }
        done = true;
        cancelTimer();
        loop.connectingEnded(this);
        Protocol protocol;
        try {
            protocol = factory.buildProtocol(remote);
        } catch (RuntimeException | Error e) {
            if (!Callbacks.isRecoverable(e)) {
                throw e;
            }
            loop.logger().log(Level.ERROR, "buildProtocol failed for " + remote + ": " + e, e);
            refuse(existingKey, e);
            return;
        }
        if (protocol == null) {
            refuse(existingKey, new ConnectException("the factory refused the connection to " + remote));
            return;
        }
        try {
            new StreamConnection(loop, channel, protocol, factory, local, remote).start(existingKey, result);
        } catch (IOException e) {
            refuse(existingKey, e);
        }
    }

    private void refuse(SelectionKey existingKey, Throwable cause) {
        if (existingKey != null) {
            existingKey.cancel();
        }
        closeChannel();
        loop.dispatch(() -> factory.connectionFailed(target, cause), this);
        result.completeExceptionally(cause);
    }

    private void fail(Exception cause) {
        if (done) {
            return;
        }
        done = true;
        cancelTimer();
        loop.connectingEnded(this);
        if (key != null) {
            key.cancel();
        }
        closeChannel();
        loop.dispatch(() -> factory.connectionFailed(target, cause), this);
        result.completeExceptionally(cause);
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel();
        }
    }

    private void closeChannel() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                loop.logger().log(Level.DEBUG, "close failed: {0}", e);
            }
        }
    }

    @Override
    public String describe() {
        return "connection attempt to " + target + " (" + factory.getClass().getName() + ")";
    }

    @Override
    public void closeForShutdown() {
        fail(new ConnectException("the reactor stopped before the connection to " + target + " was made"));
    }
}
