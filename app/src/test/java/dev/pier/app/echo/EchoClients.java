package dev.pier.app.echo;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.pier.unix.UnixDatagramSocket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;

/** Clients that send a message to an echo server over each transport and return what comes back. */
final class EchoClients {

    static final Duration REPLY_TIMEOUT = Duration.ofSeconds(10);

    private EchoClients() {}

    /** Opens a stream connection to {@code tcp:PORT} on 127.0.0.1 or to the Unix socket {@code path}. */
    static SocketChannel connect(int port) throws IOException {
        return SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
    }

    static SocketChannel connect(Path path) throws IOException {
        return SocketChannel.open(UnixDomainSocketAddress.of(path));
    }

    /** Writes {@code message} and reads back as many bytes. */
    static String roundTrip(SocketChannel channel, String message) throws IOException {
        byte[] sent = message.getBytes(UTF_8);
        channel.write(ByteBuffer.wrap(sent));
        ByteBuffer received = ByteBuffer.allocate(sent.length);
        while (received.hasRemaining()) {
            if (channel.read(received) < 0) {
                break;
            }
        }
        return new String(received.array(), 0, received.position(), UTF_8);
    }

    /** Sends one UDP datagram to 127.0.0.1:{@code port} and returns the reply. */
    static String udpRoundTrip(int port, String message) throws IOException {
        try (var socket = new java.net.DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            socket.setSoTimeout((int) REPLY_TIMEOUT.toMillis());
            byte[] sent = message.getBytes(UTF_8);
            socket.send(new java.net.DatagramPacket(sent, sent.length, new InetSocketAddress("127.0.0.1", port)));
            var reply = new java.net.DatagramPacket(new byte[65536], 65536);
            socket.receive(reply);
            return new String(reply.getData(), 0, reply.getLength(), UTF_8);
        }
    }

    /**
     * Sends one Unix datagram to {@code server} from a socket bound at {@code client} (a Unix datagram client needs
     * an address to be answered at) and returns the reply.
     */
    static String unixDatagramRoundTrip(Path server, Path client, String message) throws IOException {
        try (UnixDatagramSocket socket = UnixDatagramSocket.bind(client)) {
            socket.send(ByteBuffer.wrap(message.getBytes(UTF_8)), UnixDomainSocketAddress.of(server));
            ByteBuffer reply = ByteBuffer.allocate(65536);
            if (socket.receive(reply, REPLY_TIMEOUT) == null) {
                throw new IOException("no reply from " + server + " within " + REPLY_TIMEOUT);
            }
            return new String(reply.array(), 0, reply.position(), UTF_8);
        }
    }
}
