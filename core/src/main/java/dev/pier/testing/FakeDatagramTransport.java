package dev.pier.testing;

import dev.pier.reactor.DatagramProtocol;
import dev.pier.reactor.DatagramTransport;
import dev.pier.reactor.Scheduler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A {@link DatagramTransport} with no network behind it, to test a {@link DatagramProtocol}: it records every
 * datagram sent and feeds datagrams to the protocol on the test thread.
 *
 * <pre>{@code
 * FakeDatagramTransport port = FakeDatagramTransport.start(new EchoDatagram());
 * port.receive("ping".getBytes(UTF_8), peer);
 * assertEquals(List.of(new FakeDatagramTransport.Datagram("ping".getBytes(UTF_8), peer)), port.sent());
 * }</pre>
 */
public final class FakeDatagramTransport implements DatagramTransport {

    /** One datagram the protocol sent. */
    public record Datagram(byte[] data, SocketAddress target) {
        @Override
        public boolean equals(Object other) {
            return other instanceof Datagram that && Arrays.equals(data, that.data) && target.equals(that.target);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(data) + target.hashCode();
        }

        @Override
        public String toString() {
            return "Datagram[" + data.length + " bytes to " + target + "]";
        }
    }

    private final Scheduler scheduler;
    private final List<Datagram> sent = new ArrayList<>();
    private SocketAddress localAddress = new InetSocketAddress(InetAddress.getLoopbackAddress(), 8000);
    private DatagramProtocol protocol;
    private boolean stopped;

    /** A port on a new {@link ManualClock}. */
    public FakeDatagramTransport() {
        this(new ManualClock());
    }

    /** A port whose {@link #scheduler()} is {@code scheduler}. */
    public FakeDatagramTransport(Scheduler scheduler) {
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    }

    /** A new port on a new {@link ManualClock} with {@code protocol} started on it. */
    public static FakeDatagramTransport start(DatagramProtocol protocol) {
        return new FakeDatagramTransport().startProtocol(protocol);
    }

    /** Starts {@code protocol} on this port: calls its {@code startProtocol(this)}. */
    public FakeDatagramTransport startProtocol(DatagramProtocol protocol) {
        if (this.protocol != null) {
            throw new IllegalStateException("a protocol is already started on this port");
        }
        this.protocol = Objects.requireNonNull(protocol, "protocol");
        protocol.startProtocol(this);
        return this;
    }

    /** Sets the address {@link #localAddress()} reports. */
    public FakeDatagramTransport setLocalAddress(SocketAddress address) {
        this.localAddress = Objects.requireNonNull(address, "address");
        return this;
    }

    /** Delivers one datagram from {@code sender} (in a buffer overwritten after the callback returns). */
    public FakeDatagramTransport receive(byte[] data, SocketAddress sender) {
        if (protocol == null || stopped) {
            throw new IllegalStateException("no protocol is listening on this port");
        }
        byte[] copy = data.clone();
        try {
            protocol.datagramReceived(ByteBuffer.wrap(copy), sender);
        } finally {
            Arrays.fill(copy, (byte) 0xEE);
        }
        return this;
    }

    /** Stops listening: calls the protocol's {@code stopProtocol()} once. */
    public void stop() {
        if (protocol != null && !stopped) {
            stopped = true;
            protocol.stopProtocol();
        }
    }

    /** Every datagram sent so far, in order. */
    public List<Datagram> sent() {
        return List.copyOf(sent);
    }

    /** Forgets the datagrams sent so far. */
    public void clear() {
        sent.clear();
    }

    @Override
    public void write(ByteBuffer data, SocketAddress target) {
        Objects.requireNonNull(target, "target");
        byte[] copy = new byte[data.remaining()];
        data.get(copy);
        sent.add(new Datagram(copy, target));
    }

    @Override
    public SocketAddress localAddress() {
        return localAddress;
    }

    @Override
    public Scheduler scheduler() {
        return scheduler;
    }
}
