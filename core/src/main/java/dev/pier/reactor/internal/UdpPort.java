package dev.pier.reactor.internal;

import dev.pier.binding.SocketFamilies;
import dev.pier.libc.Ipv4Datagrams;
import dev.pier.logging.RateLimitedLog;
import dev.pier.reactor.DatagramProtocol;
import dev.pier.reactor.DatagramTransport;
import dev.pier.reactor.Scheduler;
import dev.pier.unix.Descriptors;
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
 * Sends go out at once; only when the socket buffer is full are they queued (copied) until OP_WRITE. On Linux the
 * replies written while a burst of received datagrams is dispatched are collected in a {@link UdpSendBatch} instead
 * and sent with one {@code sendmmsg} at the end of the burst (or earlier, when the batch fills), which saves a
 * system call per datagram; the order of the datagrams is kept.
 */
final class UdpPort extends SelectorPort<DatagramChannel> implements DatagramTransport {

    private static final int MAX_RECEIVES_PER_EVENT = 64;

    private record Outgoing(ByteBuffer data, SocketAddress target) {}

    private final DatagramProtocol protocol;
    private final ByteBuffer receiveBuffer;
    private final ArrayDeque<Outgoing> queue = new ArrayDeque<>();
    private long queuedBytes;
    /** Null where {@code sendmmsg} is out of reach: every write then goes out at once. */
    private final UdpSendBatch batch;
    /** An IPv4 socket bound elsewhere, which the JDK may take for IPv6: sent through {@link Ipv4Datagrams}. */
    private final boolean ipv4BoundElsewhere;
    private final RateLimitedLog oversizedWarnings;
    private final RateLimitedLog queueFullWarnings;
    /** Whether a receive burst is being dispatched, so writes go into {@link #batch}. */
    private boolean receiving;

    private UdpPort(EventLoop loop, DatagramChannel channel, DatagramProtocol protocol, boolean sendInBatches,
                    boolean ipv4BoundElsewhere) throws IOException {
        super(loop, channel, SelectionKey.OP_READ);
        this.ipv4BoundElsewhere = ipv4BoundElsewhere;
        this.protocol = protocol;
        this.receiveBuffer = ByteBuffer.allocateDirect(loop.options().maxDatagramSize() + 1);
        this.batch = sendInBatches ? UdpSendBatch.open(channel) : null;
        this.oversizedWarnings = loop.repeatedWarnings();
        this.queueFullWarnings = loop.repeatedWarnings();
    }

    /** Binds now (so errors reach the caller), with SO_REUSEPORT if asked, and starts on the loop thread. */
    static UdpPort listen(EventLoop loop, SocketAddress address, DatagramProtocol protocol, boolean reusePort)
            throws IOException {
        return listen(loop, address, protocol, reusePort, true);
    }

    /**
     * As {@link #listen(EventLoop, SocketAddress, DatagramProtocol, boolean)}; {@code sendInBatches} false sends every
     * datagram at once, as on a platform without {@code sendmmsg}, so that path stays tested.
     */
    static UdpPort listen(EventLoop loop, SocketAddress address, DatagramProtocol protocol, boolean reusePort,
                          boolean sendInBatches) throws IOException {
        DatagramChannel channel = DatagramChannel.open(SocketFamilies.of(address));
        try {
            if (reusePort) {
                channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            channel.configureBlocking(false);
            channel.bind(address);
            UdpPort port = new UdpPort(loop, channel, protocol, sendInBatches, false);
            loop.runInLoop(port::start);
            return port;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Receives on {@code channel}, bound already (a socket systemd or another process passed). */
    static UdpPort serve(EventLoop loop, DatagramChannel channel, DatagramProtocol protocol) throws IOException {
        try {
            if (channel.getLocalAddress() == null) {
                throw new IllegalArgumentException("the channel is not bound: " + channel);
            }
            channel.configureBlocking(false);
            UdpPort port = new UdpPort(loop, channel, protocol, true, Ipv4Datagrams.isIpv4(channel));
            loop.runInLoop(port::start);
            return port;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Sends one datagram without waiting, as {@link DatagramChannel#send} does. */
    private int sendNow(ByteBuffer data, SocketAddress target) throws IOException {
        return ipv4BoundElsewhere ? Ipv4Datagrams.send(Descriptors.of(channel), data, target)
                : channel.send(data, target);
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
        if (batch != null) {
            batch.close();
        }
    }

    /** Whether replies written during a receive burst go out with one {@code sendmmsg}. */
    boolean sendsInBatches() {
        return batch != null;
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
        receiving = batch != null;
        try {
            receiveBurst();
        } finally {
            receiving = false;
            if (batch != null) {
                sendBatch();
            }
        }
    }

    private void receiveBurst() {
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
                oversizedWarnings.log(Level.WARNING, "{0}: dropped a datagram from {1} longer than the limit of "
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
        // Datagrams already queued go first: the batch is for a socket whose buffer has room.
        if (receiving && queue.isEmpty() && addToBatch(data, target)) {
            return;
        }
        sendOrQueue(data, target);
    }

    /** Adds the datagram to the batch, sending the batch first if need be; false if it must go out on its own. */
    private boolean addToBatch(ByteBuffer data, SocketAddress target) {
        if (batch.add(data, target)) {
            return true;
        }
        // The batch is full, or cannot take this target or size: what it holds goes first, to keep the order.
        return sendBatch() && batch.add(data, target);
    }

    /**
     * Sends {@code data} at once, or queues a copy of it behind the datagrams already queued or when the socket
     * buffer is full.
     */
    private void sendOrQueue(ByteBuffer data, SocketAddress target) {
        if (queue.isEmpty()) {
            try {
                if (sendNow(data, target) > 0 || !data.hasRemaining()) {
                    return;
                }
            } catch (IOException e) {
                loop.logger().log(Level.DEBUG, "{0}: sending to {1} failed: {2}", describe(), target, e);
                data.position(data.limit());
                return;
            }
        }
        if (queuedBytes + data.remaining() > loop.options().maxBufferedBytes()) {
            queueFullWarnings.log(Level.WARNING, "{0}: send queue full ({1,number,#} bytes); dropped a datagram to {2}",
                    describe(), queuedBytes, target);
            data.position(data.limit());
            return;
        }
        ByteBuffer copy = ByteBuffer.allocate(data.remaining()).put(data).flip();
        queue.add(new Outgoing(copy, target));
        queuedBytes += copy.remaining();
        key().interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
    }

    /**
     * Sends what the batch holds with as few {@code sendmmsg} calls as the kernel allows, and empties it. A datagram
     * the call refuses goes through {@link #sendOrQueue} instead, which queues it if the socket buffer is full and
     * otherwise logs why it failed, as for any write; once something is queued the rest queue behind it.
     *
     * @return whether the queue is still empty, so later datagrams may still go out before it is drained
     */
    private boolean sendBatch() {
        int size = batch.size();
        int next = 0;
        if (!isClosed()) {
            while (next < size && queue.isEmpty()) {
                int sent = batch.send(next);
                if (sent > 0) {
                    next += sent;
                } else {
                    sendOrQueue(batch.datagram(next), batch.target(next));
                    next++;
                }
            }
            for (; next < size; next++) {
                sendOrQueue(batch.datagram(next), batch.target(next));
            }
        }
        batch.clear();
        return queue.isEmpty();
    }

    private void sendQueued() {
        while (!queue.isEmpty()) {
            Outgoing next = queue.peek();
            try {
                if (sendNow(next.data(), next.target()) == 0 && next.data().hasRemaining()) {
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
