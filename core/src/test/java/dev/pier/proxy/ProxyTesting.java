package dev.pier.proxy;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.pier.layer.Layer;
import dev.pier.layer.LayerStack;
import dev.pier.layer.LayeredProtocol;
import dev.pier.reactor.DisconnectReason;
import dev.pier.reactor.Protocol;
import dev.pier.reactor.Scheduler;
import dev.pier.reactor.Transport;
import dev.pier.testing.FakeTransport;
import dev.pier.testing.ManualClock;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/** Headers to send, and a connection with a PROXY header layer to send them to. */
final class ProxyTesting {

    /** The proxy's own addresses, as the socket reports them. */
    static final InetSocketAddress SOCKET_LOCAL = inet("10.0.0.5", 8000);
    static final InetSocketAddress SOCKET_REMOTE = inet("10.0.0.9", 40000);

    private ProxyTesting() {}

    static InetSocketAddress inet(String literal, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByName(literal), port);   // literals only: no lookup
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static byte[] ascii(String text) {
        return text.getBytes(US_ASCII);
    }

    static byte[] concat(byte[]... parts) {
        var out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /** A version 2 header: signature, version and command byte, family and transport byte, length, body. */
    static byte[] v2(int versionCommand, int familyTransport, byte[]... body) {
        byte[] rest = concat(body);
        return concat(ProxyHeaderDecoder.V2_SIGNATURE,
                new byte[] {(byte) versionCommand, (byte) familyTransport, (byte) (rest.length >> 8), (byte) rest.length},
                rest);
    }

    /** The address block of a TCP over IPv4 or IPv6 header. */
    static byte[] inetBlock(InetSocketAddress source, InetSocketAddress destination) {
        return ByteBuffer.allocate(2 * source.getAddress().getAddress().length + 4)
                .put(source.getAddress().getAddress()).put(destination.getAddress().getAddress())
                .putShort((short) source.getPort()).putShort((short) destination.getPort()).array();
    }

    /** One 108-byte Unix address: the path's bytes, NUL-padded. */
    static byte[] unixAddress(byte[] path) {
        byte[] address = new byte[108];
        System.arraycopy(path, 0, address, 0, path.length);
        return address;
    }

    static byte[] tlv(int type, byte[] value) {
        return concat(new byte[] {(byte) type, (byte) (value.length >> 8), (byte) value.length}, value);
    }

    /** {@code header} (a version 2 one ending with a zeroed CRC32C TLV) with its checksum filled in. */
    static byte[] withCrc(byte[] header) {
        CRC32C crc = new CRC32C();
        crc.update(header);
        byte[] filled = header.clone();
        ByteBuffer.wrap(filled).putInt(filled.length - 4, (int) crc.getValue());
        return filled;
    }

    /** Records what the protocol behind the layer saw. */
    static class Recorder implements Protocol {
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        final List<String> events = new ArrayList<>();
        Transport transport;
        SocketAddress remoteWhenMade;
        SocketAddress localWhenMade;
        ProxyHeader headerWhenMade;
        DisconnectReason lost;

        @Override
        public void connectionMade(Transport transport) {
            this.transport = transport;
            events.add("made");
            remoteWhenMade = transport.remoteAddress();
            localWhenMade = transport.localAddress();
            headerWhenMade = transport.layer(ProxyHeaderLayer.class).orElseThrow().header();
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            received.writeBytes(bytes);
        }

        @Override
        public void connectionLost(DisconnectReason reason) {
            events.add("lost");
            lost = reason;
        }

        boolean made() {
            return events.contains("made");
        }
    }

    /** A connection on a {@link FakeTransport} whose protocol runs behind a PROXY header layer. */
    static final class Connection {
        final ProxyProtocol proxy;
        final ManualClock clock = new ManualClock();
        final Recorder protocol = new Recorder();
        final LayeredProtocol layered;
        final FakeTransport transport;

        Connection() {
            this(ProxyProtocol.layer());
        }

        Connection(ProxyProtocol proxy) {
            this.proxy = proxy;
            layered = LayeredProtocol.wrap(protocol, List.of(proxy.newLayer(SOCKET_REMOTE)));
            transport = new FakeTransport(clock).setLocalAddress(SOCKET_LOCAL).setRemoteAddress(SOCKET_REMOTE);
            transport.makeConnection(layered);
        }

        Connection receive(byte[]... chunks) {
            transport.receive(chunks);
            return this;
        }
    }

    /**
     * A lone layer on a {@link LayerStack} whose socket records the cause it is aborted with: the one place a test
     * sees the cause of a connection its protocol never heard of.
     */
    static final class BareStack {
        final ManualClock clock = new ManualClock();
        final LayerStack stack;
        Exception cause;

        BareStack() {
            Layer layer = ProxyProtocol.layer().newLayer(SOCKET_REMOTE);
            stack = new LayerStack(List.of(layer), new LayerStack.Below() {
                @Override public void send(ByteBuffer data) { data.position(data.limit()); }
                @Override public void close() {}
                @Override public void shutdownOutput() {}
                @Override public void abort(Exception why) { assertNull(cause, "aborted twice"); cause = why; }
                @Override public void setReadingPaused(boolean paused) {}
                @Override public void heldBytesChanged() {}
                @Override public Scheduler scheduler() { return clock; }
                @Override public SocketAddress localAddress() { return SOCKET_LOCAL; }
                @Override public SocketAddress remoteAddress() { return SOCKET_REMOTE; }
            }, new LayerStack.Above() {
                @Override public void connectionMade() {}
                @Override public void dataReceived(ByteBuffer data) { data.position(data.limit()); }
                @Override public void inputEnded() {}
            });
            stack.connectionMade();
        }

        BareStack feed(byte[]... chunks) {
            for (byte[] chunk : chunks) {
                stack.dataReceived(ByteBuffer.wrap(chunk.clone()));
            }
            return this;
        }
    }

    /** The cause a lone layer aborts with after {@code chunks} (null if it did not). */
    static Exception abortCause(byte[]... chunks) {
        return new BareStack().feed(chunks).cause;
    }
}
