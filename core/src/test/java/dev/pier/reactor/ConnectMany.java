package dev.pier.reactor;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A separate program (run in a child JVM so the clients' descriptors do not count against the server's limit):
 * opens COUNT connections to {@code tcp:HOST:PORT} or {@code unix:PATH}, sends one byte on each, reads each echo,
 * prints "connected COUNT", then holds the connections open until its standard input closes.
 */
public final class ConnectMany {

    public static void main(String[] args) throws IOException {
        String target = args[0];
        int count = Integer.parseInt(args[1]);
        List<SocketChannel> channels = new ArrayList<>(count);
        ByteBuffer one = ByteBuffer.allocate(1);
        for (int i = 0; i < count; i++) {
            SocketChannel channel;
            if (target.startsWith("unix:")) {
                channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                channel.connect(UnixDomainSocketAddress.of(Path.of(target.substring(5))));
            } else {
                String[] hostPort = target.substring(4).split(":");
                channel = SocketChannel.open(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])));
            }
            channel.write(ByteBuffer.wrap(new byte[] {(byte) i}));
            channels.add(channel);
        }
        for (SocketChannel channel : channels) {
            one.clear();
            if (channel.read(one) != 1) {
                throw new IOException("no echo");
            }
        }
        System.out.println("connected " + channels.size());
        System.out.flush();
        while (System.in.read() >= 0) {
            // hold the connections until the parent closes our input
        }
        for (SocketChannel channel : channels) {
            channel.close();
        }
    }
}
