package dev.pier.reactor.internal;

import dev.pier.metrics.ServerStatistics;
import dev.pier.reactor.Protocol;
import dev.pier.reactor.ProtocolFactory;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.util.List;
import java.util.stream.Stream;

/**
 * A listening TCP or Unix stream socket.
 *
 * <p>When accepting fails — typically "Too many open files" — the port stops asking for OP_ACCEPT and tries again
 * after {@code acceptRetryDelay}, so a full descriptor table does not turn the loop into a busy spin (the pending
 * connection would make every select return at once). One warning per episode, one note on recovery.
 *
 * <p>A port may hand accepted connections to other loops in turn ({@code workers}): one acceptor spreading
 * connections over the loops of a {@link dev.pier.reactor.ReactorGroup}; each connection then lives on its loop.
 */
final class StreamPort extends SelectorPort<ServerSocketChannel> {

    private static final int MAX_ACCEPTS_PER_EVENT = 64;
    /** The most connections taken from the queue as the port closes: Linux's default longest queue (somaxconn). */
    private static final int MAX_ACCEPTS_AT_CLOSE = 4096;

    private final ProtocolFactory factory;
    private final List<EventLoop> workers;
    private final PortCounters counters;
    private final int acceptedSlot;
    private int nextWorker;
    private boolean acceptFailing;
    private final boolean ownsSocketFile;

    private StreamPort(EventLoop loop, ServerSocketChannel channel, ProtocolFactory factory, List<EventLoop> workers,
                       boolean ownsSocketFile) throws IOException {
        super(loop, channel, SelectionKey.OP_ACCEPT);
        this.factory = factory;
        this.workers = List.copyOf(workers);
        this.ownsSocketFile = ownsSocketFile;
        this.counters = new PortCounters(Stream.concat(Stream.of(loop), workers.stream()).distinct().toList());
        this.acceptedSlot = counters.base(loop) + PortCounters.ACCEPTED;
    }

    /**
     * Binds now (so errors reach the caller) and starts accepting on the loop thread; accepted connections go to
     * the {@code workers} in turn.
     */
    static StreamPort listen(EventLoop loop, ServerSocketChannel channel, SocketAddress address, int backlog,
                             ProtocolFactory factory, List<EventLoop> workers) throws IOException {
        try {
            channel.configureBlocking(false);
            channel.bind(address, backlog);
            return start(new StreamPort(loop, channel, factory, workers, true));
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * Accepts on {@code channel}, which listens already (a socket systemd or another process passed); a Unix
     * socket's file is left in place when the port stops, as whoever bound it owns it.
     */
    static StreamPort serve(EventLoop loop, ServerSocketChannel channel, ProtocolFactory factory) throws IOException {
        try {
            if (channel.getLocalAddress() == null) {
                throw new IllegalArgumentException("the channel is not bound: " + channel);
            }
            channel.configureBlocking(false);
            return start(new StreamPort(loop, channel, factory, List.of(loop), false));
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static StreamPort start(StreamPort port) {
        port.loop.runInLoop(port::start);
        return port;
    }

    @Override
    public ServerStatistics statistics() {
        return counters.snapshot();
    }

    @Override
    void startServing() {
        loop.startFactory(factory);
    }

    @Override
    void stopServing() {
        loop.stopFactory(factory);
    }

    @Override
    void channelClosed() {
        // A Unix socket's file outlives the socket and would keep the path from being bound again.
        if (ownsSocketFile && address instanceof UnixDomainSocketAddress unix) {
            try {
                Files.deleteIfExists(unix.getPath());
            } catch (IOException e) {
                loop.logger().log(Level.WARNING, "cannot remove the socket file {0}: {1}", unix.getPath(), e);
            }
        }
    }

    @Override
    public void ready(SelectionKey readyKey) {
        for (int i = 0; i < MAX_ACCEPTS_PER_EVENT && !isClosed(); i++) {
            SocketChannel accepted;
            try {
                accepted = channel.accept();
            } catch (IOException e) {
                acceptFailed(e);
                return;
            }
            if (accepted == null) {
                return;
            }
            counters.add(acceptedSlot, 1);
            if (acceptFailing) {
                acceptFailing = false;
                loop.logger().log(Level.INFO, "{0}: accepting connections again", describe());
            }
            handOver(accepted);
        }
    }

    /**
     * Accepts the connections the kernel has queued, which closing the socket would reset: their clients (or a proxy
     * in front, which cannot send a client elsewhere once its server took the connection) would see a connection cut
     * off before a byte instead of being refused. They are served as the connections in progress are.
     */
    @Override
    void takeQueued() {
        for (int i = 0; i < MAX_ACCEPTS_AT_CLOSE && !acceptFailing; i++) {
            SocketChannel accepted;
            try {
                accepted = channel.accept();
            } catch (IOException e) {
                return;   // those left are reset, as they would have been without this
            }
            if (accepted == null) {
                return;
            }
            handOver(accepted);
        }
    }

    private void handOver(SocketChannel accepted) {
        EventLoop worker = workers.get(nextWorker);
        nextWorker = (nextWorker + 1) % workers.size();
        if (worker == loop) {
            startConnection(worker, accepted);
        } else if (!worker.execute(() -> startConnection(worker, accepted))) {
            closeQuietly(accepted);   // that loop has stopped
        }
    }

    private void acceptFailed(IOException e) {
        var delay = loop.options().acceptRetryDelay();
        if (!acceptFailing) {
            acceptFailing = true;
            loop.logger().log(Level.WARNING, "{0}: accepting a connection failed ({1}); pausing accepts, retrying "
                    + "every {2,number,#} ms until it works", describe(), e.getMessage(), delay.toMillis());
        }
        key().interestOps(0);
        loop.callLater(delay, () -> {
            if (!isClosed()) {
                key().interestOps(SelectionKey.OP_ACCEPT);
            }
        });
    }

    /** Builds the protocol and starts the connection on {@code worker}, its loop from now on. */
    private void startConnection(EventLoop worker, SocketChannel accepted) {
        if (worker.hasStopped()) {
            closeQuietly(accepted);
            return;
        }
        SocketAddress remote = null;
        try {
            accepted.configureBlocking(false);
            remote = accepted.getRemoteAddress();
            if (accepted.supportedOptions().contains(StandardSocketOptions.TCP_NODELAY)) {
                accepted.setOption(StandardSocketOptions.TCP_NODELAY, worker.options().tcpNoDelay());
            }
            Protocol protocol = buildProtocol(worker, remote);
            if (protocol == null) {
                counters.add(counters.base(worker) + PortCounters.REFUSED, 1);
                accepted.close();
                return;
            }
            var connection = new StreamConnection(worker, accepted, protocol, null, accepted.getLocalAddress(),
                    remote);
            connection.countIn(counters);
            connection.start(null, null);
        } catch (IOException e) {
            worker.logger().log(Level.DEBUG, "{0}: dropping a connection from {1} that failed at once: {2}",
                    describe(), remote, e);
            closeQuietly(accepted);
        }
    }

    private Protocol buildProtocol(EventLoop worker, SocketAddress remote) {
        try {
            return factory.buildProtocol(remote);
        } catch (RuntimeException | Error e) {
            if (!Callbacks.isRecoverable(e)) {
                throw e;
            }
            worker.logger().log(Level.ERROR, describe() + ": buildProtocol failed for " + remote
                    + ", refusing the connection: " + e, e);
            counters.add(counters.base(worker) + PortCounters.ERRORS, 1);
            return null;
        }
    }

    @Override
    public String describe() {
        return "port " + address + " (" + factory.getClass().getName() + ")";
    }
}
