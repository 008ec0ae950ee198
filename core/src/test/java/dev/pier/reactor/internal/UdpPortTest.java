package dev.pier.reactor.internal;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pier.reactor.DatagramEcho;
import dev.pier.reactor.ReactorOptions;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A UDP port's replies: sent in batches during a receive burst where sendmmsg is available, else one by one, over
 * IPv4 and IPv6. What every datagram port does is {@code DatagramTransportContract}'s.
 */
@Timeout(30)
class UdpPortTest {

    private static final int SENDERS = 4;
    private static final int ROUNDS = 20;
    /** Datagrams each sender has in flight: few enough that no socket buffer on the way overflows. */
    private static final int WINDOW = 16;

    private final EventLoop loop = new EventLoop(ReactorOptions.defaults(), null);
    private final List<DatagramSocket> clients = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        clients.forEach(DatagramSocket::close);
        loop.requestStop(Duration.ZERO);
        loop.terminated().get(10, TimeUnit.SECONDS);
    }

    @ParameterizedTest(name = "{0}, sendInBatches={1}")
    @CsvSource({"127.0.0.1, true", "::1, true", "127.0.0.1, false", "::1, false"})
    void burstsFromSeveralSendersAreEchoedToEachInOrder(String host, boolean sendInBatches) throws Exception {
        loop.start("udp-port-test");
        InetAddress loopback = InetAddress.getByName(host);
        UdpPort port = UdpPort.listen(loop, new InetSocketAddress(loopback, 0), new DatagramEcho(), false,
                sendInBatches);
        assertEquals(sendInBatches && isLinux(), port.sendsInBatches());
        SocketAddress server = port.address();
        for (int i = 0; i < SENDERS; i++) {
            clients.add(client(loopback));
        }
        for (int round = 0; round < ROUNDS; round++) {
            // Every sender's window goes out before any reply is read, so the port receives them in bursts.
            for (int sequence = round * WINDOW; sequence < (round + 1) * WINDOW; sequence++) {
                for (int sender = 0; sender < SENDERS; sender++) {
                    byte[] bytes = message(sender, sequence).getBytes(US_ASCII);
                    clients.get(sender).send(new DatagramPacket(bytes, bytes.length, server));
                }
            }
            for (int sender = 0; sender < SENDERS; sender++) {
                for (int sequence = round * WINDOW; sequence < (round + 1) * WINDOW; sequence++) {
                    assertEquals(message(sender, sequence), receive(clients.get(sender)));
                }
            }
        }
    }

    private static DatagramSocket client(InetAddress loopback) throws IOException {
        DatagramSocket client = new DatagramSocket(new InetSocketAddress(loopback, 0));
        client.setSoTimeout(10_000);
        return client;
    }

    private static String message(int sender, int sequence) {
        return "sender " + sender + " datagram " + sequence;
    }

    private static String receive(DatagramSocket client) throws IOException {
        DatagramPacket packet = new DatagramPacket(new byte[100], 100);
        client.receive(packet);
        return new String(packet.getData(), 0, packet.getLength(), US_ASCII);
    }

    private static boolean isLinux() {
        return System.getProperty("os.name").startsWith("Linux");
    }
}
