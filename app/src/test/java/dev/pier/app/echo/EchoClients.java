package dev.pier.app.echo;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

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
     * an address to be answered at) and returns the reply. The JDK has no Unix datagram sockets, so Python sends it.
     */
    static String unixDatagramRoundTrip(Path server, Path client, String message)
            throws IOException, InterruptedException {
        String script = """
                import socket, sys
                s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                s.bind(sys.argv[2])
                s.settimeout(float(sys.argv[3]))
                s.sendto(sys.argv[4].encode(), sys.argv[1])
                sys.stdout.write(s.recv(65536).decode())
                """;
        Process python = new ProcessBuilder("python3", "-c", script, server.toString(), client.toString(),
                String.valueOf(REPLY_TIMEOUT.toSeconds()), message).redirectErrorStream(true).start();
        String output = new String(python.getInputStream().readAllBytes(), UTF_8);
        if (!python.waitFor(REPLY_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS) || python.exitValue() != 0) {
            python.destroyForcibly();
            throw new IOException("the Unix datagram client failed: " + output);
        }
        return output;
    }
}
