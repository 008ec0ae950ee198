package dev.pier.reactor;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Several loops sharing one port through SO_REUSEPORT. */
@Timeout(30)
class ReactorGroupTest {

    @Test
    void loopsShareAPortAndEachServesConnections() throws Exception {
        Set<String> servingThreads = ConcurrentHashMap.newKeySet();
        AtomicInteger starts = new AtomicInteger();
        AtomicInteger stops = new AtomicInteger();
        ProtocolFactory factory = new ProtocolFactory() {
            public Protocol buildProtocol(java.net.SocketAddress peer) {
                servingThreads.add(Thread.currentThread().getName());
                return new Echo();
            }
            public void startFactory() {
                starts.incrementAndGet();
            }
            public void stopFactory() {
                stops.incrementAndGet();
            }
        };
        try (ReactorGroup group = ReactorGroup.start(2, Reactor.Options.defaults())) {
            ListeningPort port = group.listenTcp(0, factory, "127.0.0.1");
            List<SocketChannel> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 32; i++) {
                    SocketChannel client = SocketChannel.open(port.address());
                    clients.add(client);
                    client.write(StreamTransportContract.ascii("c" + i));
                }
                for (int i = 0; i < clients.size(); i++) {
                    String expected = "c" + i;
                    assertEquals(expected, StreamTransportContract.readExactly(clients.get(i), expected.length()));
                }
            } finally {
                for (SocketChannel client : clients) {
                    client.close();
                }
            }
            // The kernel spreads connections by a hash of the peer's port: 32 all on one loop would be a 2^-31 fluke.
            assertEquals(2, servingThreads.size(), "both loops accepted connections: " + servingThreads);
            port.stopListening().toCompletableFuture().get(10, SECONDS);
            assertEquals(1, starts.get(), "the factory starts once for the group");
            assertEquals(1, stops.get(), "and stops once");
            assertTrue(group.next() != group.next(), "next() takes the loops in turn");
        }
    }
}
