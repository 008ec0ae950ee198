package dev.pier.tls;

import dev.pier.layer.Layer;
import dev.pier.layer.LayerStack;
import dev.pier.reactor.Scheduler;
import dev.pier.testing.ManualClock;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One end of an in-memory connection: a {@link LayerStack} holding a TLS layer, a socket below it that keeps what
 * is sent, and a protocol above it that records what it is told (and echoes, if asked to).
 */
final class MemoryPeer implements LayerStack.Below, LayerStack.Above {

    final TlsLayer tls;
    final LayerStack stack;
    final ManualClock clock;
    final boolean echo;
    final ByteArrayOutputStream outgoing = new ByteArrayOutputStream();
    final ByteArrayOutputStream received = new ByteArrayOutputStream();
    boolean made;
    boolean inputEnded;
    boolean closed;
    boolean outputShutdown;
    Exception aborted;
    int heldBytesChanges;
    private final SocketAddress local;
    private final SocketAddress remote;

    MemoryPeer(TlsLayer tls, ManualClock clock, boolean echo, int localPort, int remotePort) {
        this.tls = tls;
        this.clock = clock;
        this.echo = echo;
        this.local = new InetSocketAddress(InetAddress.getLoopbackAddress(), localPort);
        this.remote = new InetSocketAddress(InetAddress.getLoopbackAddress(), remotePort);
        this.stack = new LayerStack(List.<Layer>of(tls), this, this);
    }

    /** Bytes for the peer, from the protocol above. */
    void write(String text) {
        stack.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    }

    String receivedText() {
        return received.toString(StandardCharsets.UTF_8);
    }

    /** Takes what was sent and not yet taken. */
    byte[] takeOutgoing() {
        byte[] bytes = outgoing.toByteArray();
        outgoing.reset();
        return bytes;
    }

    boolean isOver() {
        return closed || aborted != null;
    }

    /** Why the TLS layer ended the connection, by abort or, during the handshake, by close after its alert. */
    String failure() {
        if (aborted != null) {
            return aborted.getMessage();
        }
        return tls.failure().map(Exception::getMessage).orElse(null);
    }

    // ---- below

    @Override
    public void send(ByteBuffer data) {
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        if (!closed && aborted == null && !outputShutdown) {
            outgoing.writeBytes(bytes);
        }
    }

    @Override
    public void close() {
        closed = true;
    }

    @Override
    public void shutdownOutput() {
        outputShutdown = true;
    }

    @Override
    public void abort(Exception cause) {
        aborted = cause;
    }

    @Override
    public void setReadingPaused(boolean paused) {}

    @Override
    public void heldBytesChanged() {
        heldBytesChanges++;
    }

    @Override
    public Scheduler scheduler() {
        return clock;
    }

    @Override
    public SocketAddress localAddress() {
        return local;
    }

    @Override
    public SocketAddress remoteAddress() {
        return remote;
    }

    // ---- above

    @Override
    public void connectionMade() {
        made = true;
    }

    @Override
    public void dataReceived(ByteBuffer data) {
        ByteBuffer copy = data.duplicate();
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        received.writeBytes(bytes);
        if (echo) {
            stack.write(copy);
        }
    }

    @Override
    public void inputEnded() {
        inputEnded = true;
    }
}
