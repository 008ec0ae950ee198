package dev.pier.reactor;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pier.endpoint.TcpEndpoint;
import dev.pier.endpoint.UdpEndpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Several loops sharing one port: TCP and UDP through SO_REUSEPORT, Unix through one acceptor. */
@Timeout(30)
class ReactorGroupTest {

    @TempDir
    Path dir;

    @Test
    void loopsShareAPortAndEachServesConnections() throws Exception {
        Set<String> servingThreads = ConcurrentHashMap.newKeySet();
        AtomicInteger starts = new AtomicInteger();
        AtomicInteger stops = new AtomicInteger();
        ProtocolFactory factory = new ProtocolFactory() {
            public Protocol buildProtocol(SocketAddress peer) {
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
        try (ReactorGroup group = ReactorGroup.start(2, ReactorOptions.defaults())) {
            ListeningPort port = group.listenTcp(0, factory, "127.0.0.1");
            echoThroughManyClients(port, () -> { });
            // The kernel spreads connections by a hash of the peer's port: 32 all on one loop would be a 2^-31 fluke.
            assertEquals(2, servingThreads.size(), "both loops accepted connections: " + servingThreads);
            port.stopListening().toCompletableFuture().get(10, SECONDS);
            assertEquals(1, starts.get(), "the factory starts once for the group");
            assertEquals(1, stops.get(), "and stops once");
            assertTrue(group.next() != group.next(), "next() takes the loops in turn");
        }
    }

    private static final int CLIENTS = 32;

    /**
     * Connects {@link #CLIENTS} clients, each echoed a message of its own, runs {@code whileConnected}, then closes
     * them: enough for the kernel to spread them over both loops but by a 2^-31 fluke.
     */
    private static void echoThroughManyClients(ListeningPort port, Runnable whileConnected) throws IOException {
        List<SocketChannel> clients = new ArrayList<>();
        try {
            for (int i = 0; i < CLIENTS; i++) {
                SocketChannel client = SocketChannel.open(port.address());
                clients.add(client);
                client.write(StreamTransportContract.ascii("c" + i));
            }
            for (int i = 0; i < clients.size(); i++) {
                String expected = "c" + i;
                assertEquals(expected, StreamTransportContract.readExactly(clients.get(i), expected.length()));
            }
            whileConnected.run();
        } finally {
            for (SocketChannel client : clients) {
                client.close();
            }
        }
    }

    /** A factory that records on which thread it is used: a factory of each loop must only ever see one. */
    private static final class OneThreadFactory implements ProtocolFactory {
        final Set<String> threads = ConcurrentHashMap.newKeySet();
        final AtomicInteger built = new AtomicInteger();
        final AtomicInteger stops = new AtomicInteger();

        public Protocol buildProtocol(SocketAddress peer) {
            threads.add(Thread.currentThread().getName());
            built.incrementAndGet();
            return new Echo();
        }

        public void startFactory() {
            threads.add(Thread.currentThread().getName());
        }

        public void stopFactory() {
            threads.add(Thread.currentThread().getName());
            stops.incrementAndGet();
        }
    }

    @Test
    void aFactoryPerLoopIsUsedByItsLoopAloneAndStartedAndStoppedThere() throws Exception {
        List<OneThreadFactory> factories = new CopyOnWriteArrayList<>();
        try (ReactorGroup group = ReactorGroup.start(2, ReactorOptions.defaults())) {
            ListeningPort port = group.listenTcp(new TcpEndpoint("127.0.0.1", 0, 50), () -> {
                OneThreadFactory factory = new OneThreadFactory();
                factories.add(factory);
                return factory;
            });
            echoThroughManyClients(port, () -> assertEquals(CLIENTS, group.connectionCount()));
            port.stopListening().toCompletableFuture().get(10, SECONDS);
            assertEquals(2, factories.size(), "one factory per loop");
            for (OneThreadFactory factory : factories) {
                assertTrue(factory.built.get() > 0, "each loop served connections (a 2^-31 fluke otherwise)");
                assertEquals(1, factory.threads.size(), "one thread used the factory: " + factory.threads);
                assertEquals(1, factory.stops.get());
            }
            assertNotEquals(factories.get(0).threads, factories.get(1).threads);
        }
    }

    @Test
    void aPortAnotherGroupServesIsRefusedAsInUseRatherThanShared() throws Exception {
        try (ReactorGroup first = ReactorGroup.start(2, ReactorOptions.defaults());
                ReactorGroup second = ReactorGroup.start(2, ReactorOptions.defaults())) {
            InetSocketAddress tcp = (InetSocketAddress) first.listenTcp(new TcpEndpoint("127.0.0.1", 0, 50),
                    () -> peer -> new Echo()).address();
            var refused = assertThrows(UncheckedIOException.class, () -> second.listenTcp(
                    new TcpEndpoint("127.0.0.1", tcp.getPort(), 50), () -> peer -> new Echo()));
            assertInstanceOf(BindException.class, refused.getCause(), refused.toString());
            InetSocketAddress udp = (InetSocketAddress) first.listenUdp(new UdpEndpoint("127.0.0.1", 0),
                    DatagramEcho::new).address();
            refused = assertThrows(UncheckedIOException.class,
                    () -> second.listenUdp(new UdpEndpoint("127.0.0.1", udp.getPort()), DatagramEcho::new));
            assertInstanceOf(BindException.class, refused.getCause(), refused.toString());
        }
    }

    @Test
    void oneLoopThatDiesFailsTheGroupAtOnceWhileTheOthersRun() throws Exception {
        try (ReactorGroup group = ReactorGroup.start(2, ReactorOptions.defaults())) {
            group.reactors().getLast().callFromThread(() -> {
                throw new OutOfMemoryError("test: Java heap space");
            });
            var failure = assertThrows(ExecutionException.class,
                    () -> group.whenStopped().toCompletableFuture().get(10, SECONDS));
            assertEquals("test: Java heap space", failure.getCause().getMessage());
            assertFalse(group.reactors().getFirst().whenStopped().toCompletableFuture().isDone());
        }
    }

    @Test
    void oneAcceptorSpreadsUnixConnectionsOverTheLoopsInTurn() throws Exception {
        List<String> servingThreads = new CopyOnWriteArrayList<>();
        try (ReactorGroup group = ReactorGroup.start(2, ReactorOptions.defaults())) {
            ListeningPort port = group.listenUnix(dir.resolve("group.sock"), peer -> {
                servingThreads.add(Thread.currentThread().getName());
                return new Echo();
            });
            for (int i = 0; i < 4; i++) {
                try (SocketChannel client = SocketChannel.open(port.address())) {
                    client.write(StreamTransportContract.ascii("u" + i));
                    assertEquals("u" + i, StreamTransportContract.readExactly(client, 2));
                }
            }
            port.stopListening().toCompletableFuture().get(10, SECONDS);
        }
        assertEquals(4, servingThreads.size());
        assertEquals(servingThreads.get(0), servingThreads.get(2), "in turn: " + servingThreads);
        assertEquals(servingThreads.get(1), servingThreads.get(3), "in turn: " + servingThreads);
        assertNotEquals(servingThreads.get(0), servingThreads.get(1), "both loops serve: " + servingThreads);
    }

    @Test
    void loopsShareAUdpPortEachWithItsOwnProtocol() throws Exception {
        Set<String> servingThreads = ConcurrentHashMap.newKeySet();
        AtomicInteger protocols = new AtomicInteger();
        try (ReactorGroup group = ReactorGroup.start(2, ReactorOptions.defaults())) {
            ListeningPort port = group.listenUdp(0, () -> {
                protocols.incrementAndGet();
                return new DatagramEcho() {
                    @Override
                    public void datagramReceived(ByteBuffer data, SocketAddress sender) {
                        servingThreads.add(Thread.currentThread().getName());
                        super.datagramReceived(data, sender);
                    }
                };
            }, "127.0.0.1");
            assertEquals(2, protocols.get(), "one protocol per loop");
            for (int i = 0; i < 32; i++) {
                try (DatagramChannel client = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
                    client.send(StreamTransportContract.ascii("d" + i), port.address());
                    ByteBuffer reply = ByteBuffer.allocate(8);
                    client.receive(reply);
                    assertEquals("d" + i, new String(reply.array(), 0, reply.position(), StandardCharsets.US_ASCII));
                }
            }
            port.stopListening().toCompletableFuture().get(10, SECONDS);
        }
        // 32 senders with distinct ports, all hashed to one loop, would be a 2^-31 fluke.
        assertEquals(2, servingThreads.size(), "both loops served: " + servingThreads);
    }
}
