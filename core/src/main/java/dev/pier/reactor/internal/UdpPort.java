package dev.pier.reactor.internal;

import dev.pier.reactor.DatagramProtocol;
import dev.pier.reactor.DatagramTransport;
import dev.pier.reactor.Scheduler;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.util.ArrayDeque;

/**
 * A UDP port. Datagrams are received into a buffer one byte larger than the largest accepted datagram, so an
 * over-long one is seen (it fills the buffer) and dropped with a warning instead of being delivered cut short.
 * Sends go out at once; only when the socket buffer is full are they queued (copied) until OP_WRITE.
 */
final class UdpPort extends SelectorPort<DatagramChannel> implements DatagramTransport {

    private static final int MAX_RECEIVES_PER_EVENT = 64;

    private record Outgoing(ByteBuffer data, SocketAddress target) {}

    private final DatagramProtocol protocol;
    private final ByteBuffer receiveBuffer;
    private final ArrayDeque<Outgoing> queue = new ArrayDeque<>();
    private long queuedBytes;

    private UdpPort(EventLoop loop, DatagramChannel channel, DatagramProtocol protocol) throws IOException {
        super(loop, channel, SelectionKey.OP_READ);
        this.protocol = protocol;
        this.receiveBuffer = ByteBuffer.allocateDirect(loop.options().maxDatagramSize() + 1);
    }

    /** Binds now (so errors reach the caller), with SO_REUSEPORT if asked, and starts on the loop thread. */
    static UdpPort listen(EventLoop loop, SocketAddress address, DatagramProtocol protocol, boolean reusePort)
            throws IOException {
        DatagramChannel channel = DatagramChannel.open();
        try {
            if (reusePort) {
                channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            channel.configureBlocking(false);
            channel.bind(address);
            UdpPort port = new UdpPort(loop, channel, protocol);
            loop.runInLoop(port::start);
            return port;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    @Override
    void startServing() {
        loop.dispatch(() -> protocol.startProtocol(this), this);
    }

    @Override
    void stopServing() {
        loop.dispatch(protocol::stopProtocol, this);
    }

    @Override
    void channelClosed() {
        queue.clear();
    }

    @Override
    public void ready(SelectionKey readyKey) {
        if (readyKey.isReadable()) {
            receive();
        }
        if (!isClosed() && readyKey.isValid() && readyKey.isWritable()) {
            sendQueued();
        }
    }

    private void receive() {
        int max = loop.options().maxDatagramSize();
        for (int i = 0; i < MAX_RECEIVES_PER_EVENT && !isClosed(); i++) {
            receiveBuffer.clear();
            SocketAddress sender;
            try {
                sender = channel.receive(receiveBuffer);
            } catch (IOException e) {
                // e.g. an ICMP port-unreachable reported for an earlier send: the port itself is fine.
                loop.logger().log(Level.DEBUG, "{0}: receive failed: {1}", describe(), e);
                return;
            }
            if (sender == null) {
                return;
            }
            receiveBuffer.flip();
            if (receiveBuffer.remaining() > max) {
                loop.logger().log(Level.WARNING, "{0}: dropped a datagram from {1} longer than the limit of "
                        + "{2,number,#} bytes (raise maxDatagramSize to accept it)", describe(), sender, max);
                continue;
            }
            SocketAddress from = sender;
            loop.dispatch(() -> protocol.datagramReceived(receiveBuffer, from), this);
        }
    }

    @Override
    public void write(ByteBuffer data, SocketAddress target) {
        loop.checkInLoop("DatagramTransport.write");
        if (isClosed()) {
            data.position(data.limit());
            return;
        }
        if (queue.isEmpty()) {
            try {
                if (channel.send(data, target) > 0 || !data.hasRemaining()) {
                    return;
                }
            } catch (IOException e) {
                loop.logger().log(Level.DEBUG, "{0}: sending to {1} failed: {2}", describe(), target, e);
                data.position(data.limit());
                return;
            }
        }
        if (queuedBytes + data.remaining() > loop.options().maxBufferedBytes()) {
            loop.logger().log(Level.WARNING, "{0}: send queue full ({1,number,#} bytes); dropped a datagram to {2}",
                    describe(), queuedBytes, target);
            data.position(data.limit());
            return;
        }
        ByteBuffer copy = ByteBuffer.allocate(data.remaining()).put(data).flip();
        queue.add(new Outgoing(copy, target));
        queuedBytes += copy.remaining();
        key().interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
    }

    private void sendQueued() {
        while (!queue.isEmpty()) {
            Outgoing next = queue.peek();
            try {
                if (channel.send(next.data(), next.target()) == 0 && next.data().hasRemaining()) {
                    return;
                }
            } catch (IOException e) {
                loop.logger().log(Level.DEBUG, "{0}: sending to {1} failed: {2}", describe(), next.target(), e);
            }
            queue.poll();
            queuedBytes -= next.data().capacity();
        }
        key().interestOps(SelectionKey.OP_READ);
    }

    @Override
    public SocketAddress localAddress() {
        return address;
    }

    @Override
    public Scheduler scheduler() {
        return loop.scheduler();
    }

    @Override
    public String describe() {
        return "UDP port " + address + " (" + protocol.getClass().getName() + ")";
    }
}
