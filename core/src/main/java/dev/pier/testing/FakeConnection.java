package dev.pier.testing;

import dev.pier.reactor.DisconnectReason;
import dev.pier.reactor.HalfCloseableProtocol;
import dev.pier.reactor.Protocol;
import dev.pier.reactor.Scheduler;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A server protocol and a client protocol connected back to back through two {@link FakeTransport}s, with no network
 * (Twisted's {@code iosim.connectedServerAndClient}). Nothing moves until {@link #pump()}: it passes what each side
 * wrote to the other, then the closes, until nothing is left to move.
 *
 * <pre>{@code
 * FakeConnection connection = FakeConnection.connect(new PoetryServer(poem), new PoetryClient(result));
 * connection.pump();                       // the poem crosses, the server closes, both see connectionLost
 * assertEquals(poem, result.join());
 * }</pre>
 *
 * <p>A {@code loseConnection} on either side closes both cleanly once everything written has been read (a side that
 * keeps reading paused keeps the connection open, as in TCP); an {@code abortConnection} closes both at once, as a
 * loss; {@code shutdownOutput} delivers end-of-stream to the peer ({@link HalfCloseableProtocol#readConnectionLost},
 * or a close if the peer is not half-closeable).
 */
public final class FakeConnection {

    private final FakeTransport server;
    private final FakeTransport client;
    private boolean serverOutputEnded;
    private boolean clientOutputEnded;
    private boolean closed;

    private FakeConnection(FakeTransport server, FakeTransport client) {
        this.server = server;
        this.client = client;
    }

    /** Connects the two protocols on a new {@link ManualClock}: the server's connectionMade runs first. */
    public static FakeConnection connect(Protocol server, Protocol client) {
        return connect(server, client, new ManualClock());
    }

    /** Connects the two protocols on {@code scheduler}: the server's connectionMade runs first. */
    public static FakeConnection connect(Protocol server, Protocol client, Scheduler scheduler) {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(client, "client");
        InetSocketAddress serverAddress = new InetSocketAddress(InetAddress.getLoopbackAddress(), 8000);
        InetSocketAddress clientAddress = new InetSocketAddress(InetAddress.getLoopbackAddress(), 54321);
        FakeTransport serverSide = new FakeTransport(scheduler).setLocalAddress(serverAddress)
                .setRemoteAddress(clientAddress);
        FakeTransport clientSide = new FakeTransport(scheduler).setLocalAddress(clientAddress)
                .setRemoteAddress(serverAddress);
        serverSide.makeConnection(server);
        clientSide.makeConnection(client);
        return new FakeConnection(serverSide, clientSide);
    }

    /** The server protocol's transport. */
    public FakeTransport serverTransport() {
        return server;
    }

    /** The client protocol's transport. */
    public FakeTransport clientTransport() {
        return client;
    }

    /** True once both protocols got {@code connectionLost}. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Moves written bytes and closes between the two sides until nothing is left to move.
     *
     * @return true if anything moved
     */
    public boolean pump() {
        boolean movedAny = false;
        while (!closed) {
            boolean moved = transfer(server, client) | transfer(client, server);
            if (!moved) {
                moved = deliverClose() || deliverEndOfStream();
            }
            if (!moved) {
                break;
            }
            movedAny = true;
        }
        return movedAny;
    }

    private static boolean transfer(FakeTransport from, FakeTransport to) {
        byte[] data = from.takeOutgoing();
        if (data.length == 0) {
            return false;
        }
        if (!to.isConnectionLost()) {
            to.receive(data);
        }
        return true;
    }

    private boolean deliverClose() {
        if (server.isAborted() || client.isAborted()) {
            FakeTransport aborter = server.isAborted() ? server : client;
            FakeTransport peer = aborter == server ? client : server;
            closed = true;
            aborter.disconnect(new DisconnectReason.Lost(new IOException("connection aborted")));
            peer.disconnect(new DisconnectReason.Lost(new IOException("connection reset by peer")));
            return true;
        }
        boolean bothEnded = serverOutputEnded && clientOutputEnded;
        if ((server.isDisconnecting() || client.isDisconnecting() || bothEnded) && allRead()) {
            closeCleanly();
            return true;
        }
        return false;
    }

    private boolean deliverEndOfStream() {
        if (!serverOutputEnded && server.isOutputShutdown() && client.pendingReceiveCount() == 0) {
            serverOutputEnded = true;
            return endOfStream(server, client);
        }
        if (!clientOutputEnded && client.isOutputShutdown() && server.pendingReceiveCount() == 0) {
            clientOutputEnded = true;
            return endOfStream(client, server);
        }
        return false;
    }

    private boolean endOfStream(FakeTransport from, FakeTransport to) {
        if (from.protocol() instanceof HalfCloseableProtocol writer) {
            writer.writeConnectionLost();
        }
        if (to.protocol() instanceof HalfCloseableProtocol reader) {
            reader.readConnectionLost();
        } else {
            closeCleanly();
        }
        return true;
    }

    private boolean allRead() {
        return server.pendingReceiveCount() == 0 && client.pendingReceiveCount() == 0;
    }

    private void closeCleanly() {
        closed = true;
        server.disconnect(DisconnectReason.DONE);
        client.disconnect(DisconnectReason.DONE);
    }

    @Override
    public String toString() {
        return "FakeConnection[" + server + (closed ? ", closed]" : "]");
    }
}
