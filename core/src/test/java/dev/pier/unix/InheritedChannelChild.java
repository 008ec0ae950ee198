package dev.pier.unix;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.util.Locale;

/**
 * A child JVM of a forking server, as {@link InheritedChannelTest} starts it: it connects to the parent's control
 * socket, receives one descriptor, adopts it as its inherited channel, reports what the JDK made of it, and answers
 * one message through it in upper case.
 */
public final class InheritedChannelChild {

    public static void main(String[] args) throws IOException {
        try (var control = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            control.connect(UnixDomainSocketAddress.of(args[0]));
            Descriptors.Received received = Descriptors.receiveDescriptor(control, ByteBuffer.allocate(1));
            Channel channel = Descriptors.adoptAsInheritedChannel(received.fd());
            String report = switch (channel) {
                case SocketChannel socket -> "SocketChannel " + socket.getRemoteAddress();
                case DatagramChannel datagram -> "DatagramChannel " + datagram.getLocalAddress();
                default -> channel.getClass().getName();
            };
            control.write(UTF_8.encode(report + "\n" + secondAdoption() + "\n"));
            try (channel) {
                switch (channel) {
                    case SocketChannel socket -> answerStream(socket);
                    case DatagramChannel datagram -> answerDatagram(datagram);
                    default -> { }
                }
            }
        }
    }

    /** A JVM creates its inherited channel once: adopting a second descriptor must fail. */
    private static String secondAdoption() throws IOException {
        try (var other = DatagramChannel.open()) {
            Descriptors.adoptAsInheritedChannel(Descriptors.dup(Descriptors.of(other)));
            return "second adoption succeeded";
        } catch (IllegalStateException expected) {
            return "second adoption refused";
        }
    }

    private static void answerStream(SocketChannel socket) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(100);
        while (socket.read(buffer) >= 0 && buffer.get(buffer.position() - 1) != '\n') {
            // read one line
        }
        socket.write(UTF_8.encode(UTF_8.decode(buffer.flip()).toString().toUpperCase(Locale.ROOT)));
    }

    private static void answerDatagram(DatagramChannel datagram) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(100);
        var sender = datagram.receive(buffer);
        datagram.send(UTF_8.encode(UTF_8.decode(buffer.flip()).toString().toUpperCase(Locale.ROOT)), sender);
    }
}
