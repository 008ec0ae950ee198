package dev.pier.reactor.internal;

import dev.pier.logging.RateLimitedLog;
import dev.pier.reactor.DatagramProtocol;
import dev.pier.reactor.DatagramTransport;
import dev.pier.reactor.ListeningPort;
import dev.pier.reactor.Scheduler;
import dev.pier.unix.UnixDatagramSocket;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Unix datagram port. The JDK has no such channel, so a virtual thread waits in blocking receives and hands each
 * datagram (a copy) to the loop; at most {@link #MAX_IN_FLIGHT} wait there at a time, after which the receiver
 * stops taking datagrams and the kernel queue fills, as a slow UDP reader would. Sends are tried without waiting
 * from the loop; when the receiver is full they go to a queue that a second virtual thread sends in order.
 */
final class UnixDatagramPort implements ListeningPort, DatagramTransport, LoopResource {

    private static final int MAX_IN_FLIGHT = 1024;

    private record Outgoing(ByteBuffer data, SocketAddress target) {}

    private final EventLoop loop;
    private final UnixDatagramSocket socket;
    private final DatagramProtocol protocol;
    private final SocketAddress address;
    private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
    private final LinkedBlockingQueue<Outgoing> sendQueue = new LinkedBlockingQueue<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private final RateLimitedLog oversizedWarnings;
    private final RateLimitedLog queueFullWarnings;
    private Thread receiver;
    private Thread sender;
    private boolean closed;

    private UnixDatagramPort(EventLoop loop, UnixDatagramSocket socket, DatagramProtocol protocol) {
        this.loop = loop;
        this.socket = socket;
        this.protocol = protocol;
        this.address = socket.boundAddress();
        this.oversizedWarnings = loop.repeatedWarnings();
        this.queueFullWarnings = loop.repeatedWarnings();
    }

    static UnixDatagramPort listen(EventLoop loop, Path path, DatagramProtocol protocol) throws IOException {
        UnixDatagramSocket socket = UnixDatagramSocket.bind(path);
        UnixDatagramPort port = new UnixDatagramPort(loop, socket, protocol);
        loop.runInLoop(port::start);
        return port;
    }

    private void start() {
        if (closed) {
            return;
        }
        loop.portOpened(this);
        // Before startProtocol: the port counts as started once the receiver is set, so a protocol that stops
        // listening in startProtocol still gets stopProtocol. Datagrams reach the loop as tasks, after startProtocol.
        receiver = Thread.ofVirtual().name("pier-unixgram-receive " + address).start(this::receiveLoop);
        loop.dispatch(() -> protocol.startProtocol(this), this);
    }

    /** Runs on the receiver thread. */
    private void receiveLoop() {
        int max = loop.options().maxDatagramSize();
        ByteBuffer buffer = ByteBuffer.allocateDirect(max + 1);
        while (true) {
            UnixDatagramSocket.Datagram datagram;
            try {
                inFlight.acquire();
                buffer.clear();
                datagram = socket.receive(buffer);
            } catch (ClosedChannelException | InterruptedException closed) {
                return;   // AsynchronousCloseException included: stopListening closed the socket
            } catch (IOException e) {
                if (socket.isOpen()) {
                    loop.logger().log(Level.ERROR, describe() + ": receiving failed, no more datagrams will be read: "
                            + e, e);
                }
                return;
            }
            if (datagram.length() > max) {
                inFlight.release();
                oversizedWarnings.log(Level.WARNING, "{0}: dropped a datagram from {1} of {2,number,#} bytes, longer "
                        + "than the limit of {3,number,#} (raise maxDatagramSize to accept it)", describe(),
                        datagram.sender(), datagram.length(), max);
                continue;
            }
            byte[] copy = new byte[datagram.length()];
            buffer.flip().get(copy);
            SocketAddress from = datagram.sender();
            loop.execute(() -> {
                inFlight.release();
                if (!closed) {
                    loop.dispatch(() -> protocol.datagramReceived(ByteBuffer.wrap(copy), from), this);
                }
            });
        }
    }

    @Override
    public void write(ByteBuffer data, SocketAddress target) {
        loop.checkInLoop("DatagramTransport.write");
        if (closed) {
            data.position(data.limit());
            return;
        }
        if (queuedBytes.get() == 0) {
            try {
                if (socket.trySend(data, target)) {
                    return;
                }
            } catch (IOException e) {
                loop.logger().log(Level.DEBUG, "{0}: sending to {1} failed: {2}", describe(), target, e);
                data.position(data.limit());
                return;
            }
        }
        int length = data.remaining();
        if (queuedBytes.get() + length > loop.options().maxBufferedBytes()) {
            queueFullWarnings.log(Level.WARNING, "{0}: send queue full ({1,number,#} bytes); dropped a datagram to {2}",
                    describe(), queuedBytes.get(), target);
            data.position(data.limit());
            return;
        }
        queuedBytes.addAndGet(length);
        sendQueue.add(new Outgoing(ByteBuffer.allocate(length).put(data).flip(), target));
        if (sender == null) {
            sender = Thread.ofVirtual().name("pier-unixgram-send " + address).start(this::sendLoop);
        }
    }

    /** Runs on the sender thread: sends queued datagrams in order, waiting for slow receivers. */
    private void sendLoop() {
        while (true) {
            Outgoing next;
            try {
                next = sendQueue.take();
            } catch (InterruptedException stop) {
                return;
            }
            int length = next.data().remaining();
            try {
                socket.send(next.data(), next.target());
            } catch (ClosedChannelException closed) {
                return;
            } catch (IOException e) {
                loop.logger().log(Level.DEBUG, "{0}: sending to {1} failed: {2}", describe(), next.target(), e);
            } finally {
                queuedBytes.addAndGet(-length);
            }
        }
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
    public SocketAddress address() {
        return address;
    }

    @Override
    public CompletionStage<Void> stopListening() {
        loop.runInLoop(this::closeForShutdown);
        return stopped.copy();
    }

    @Override
    public void closeForShutdown() {
        if (closed) {
            return;
        }
        boolean started = receiver != null;
        closed = true;
        Thread receiving = receiver;
        Thread sending = sender;
        // close() waits for a send blocked on a full receiver to notice: not on the loop thread. Nor on a virtual
        // thread: the receiver and sender, in native calls, may hold every carrier until close wakes them.
        Thread.ofPlatform().daemon().name("pier-unixgram-close " + address).start(() -> {
            socket.close();
            if (receiving != null) {
                receiving.interrupt();   // in case it waits for the loop to take datagrams, not in receive
            }
            if (sending != null) {
                sending.interrupt();
            }
            try {
                if (receiving != null) {
                    receiving.join();
                }
                if (sending != null) {
                    sending.join();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            stopped.complete(null);
        });
        if (started) {
            loop.portClosed(this);
            loop.dispatch(protocol::stopProtocol, this);
        }
    }

    @Override
    public String describe() {
        return "Unix datagram port " + address + " (" + protocol.getClass().getName() + ")";
    }
}
