package dev.pier.reactor;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The behaviour every datagram transport (UDP, Unix datagram) must show, as {@link StreamTransportContract} is for
 * streams. A transport's test class extends this and says how to listen and how a plain client sends and receives.
 */
@Timeout(60)
abstract class DatagramTransportContract {

    /** The longest datagram the reactor under test accepts. */
    static final int MAX_DATAGRAM = 100;

    /** A plain blocking client socket, bound to its own address so that replies reach it. */
    interface Client extends AutoCloseable {
        void send(ByteBuffer data, SocketAddress target) throws IOException;

        /** The next datagram, as ASCII. */
        String receive() throws IOException;

        @Override
        void close() throws IOException;
    }

    @TempDir
    Path dir;

    Reactor reactor;
    final RecordingLogger log = new RecordingLogger();

    /** Listens on a fresh loopback address. */
    abstract ListeningPort listen(Reactor reactor, DatagramProtocol protocol);

    /** Listens again where {@code stopped} listened. */
    abstract ListeningPort listenAgain(Reactor reactor, ListeningPort stopped, DatagramProtocol protocol);

    abstract Client openClient() throws IOException;

    /** An address of the transport's kind where nothing receives. */
    abstract SocketAddress unreachable() throws IOException;

    @BeforeEach
    void startReactor() {
        reactor = Reactor.start(ReactorOptions.defaults().withLogger(log).withMaxDatagramSize(MAX_DATAGRAM));
    }

    @AfterEach
    void closeReactor() {
        reactor.close();
    }

    static ByteBuffer ascii(String text) {
        return ByteBuffer.wrap(text.getBytes(US_ASCII));
    }

    <T> T onLoop(Callable<T> task) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        reactor.callFromThread(() -> {
            try {
                result.complete(task.call());
            } catch (Exception e) {
                result.completeExceptionally(e);
            }
        });
        return result.get(10, SECONDS);
    }

    @Test
    void datagramsAreEchoedToTheSenderInOrderOnTheLoopThread() throws Exception {
        List<String> threads = new ArrayList<>();
        ListeningPort port = listen(reactor, new DatagramEcho() {
            @Override
            public void datagramReceived(ByteBuffer data, SocketAddress sender) {
                threads.add(Thread.currentThread().getName());
                super.datagramReceived(data, sender);
            }
        });
        try (Client client = openClient()) {
            for (String message : List.of("one", "two", "three")) {
                client.send(ascii(message), port.address());
            }
            assertEquals(List.of("one", "two", "three"), List.of(client.receive(), client.receive(), client.receive()));
        }
        List<String> seen = onLoop(() -> List.copyOf(threads));
        assertEquals(3, seen.size());
        assertTrue(seen.stream().allMatch(name -> name.startsWith("pier-reactor-")), seen::toString);
    }

    @Test
    void burstsFromSeveralSendersAreEchoedToEachInOrder() throws Exception {
        int senders = 4;
        int rounds = 5;
        int window = 8;   // datagrams each sender has in flight: fewer than a Unix socket's queue holds (10)
        ListeningPort port = listen(reactor, new DatagramEcho());
        List<Client> clients = new ArrayList<>();
        try {
            for (int i = 0; i < senders; i++) {
                clients.add(openClient());
            }
            for (int round = 0; round < rounds; round++) {
                // Every sender's window goes out before any reply is read, so the port receives them in bursts.
                for (int sequence = round * window; sequence < (round + 1) * window; sequence++) {
                    for (int sender = 0; sender < senders; sender++) {
                        clients.get(sender).send(ascii("sender " + sender + " datagram " + sequence), port.address());
                    }
                }
                for (int sender = 0; sender < senders; sender++) {
                    for (int sequence = round * window; sequence < (round + 1) * window; sequence++) {
                        assertEquals("sender " + sender + " datagram " + sequence, clients.get(sender).receive());
                    }
                }
            }
        } finally {
            for (Client client : clients) {
                client.close();
            }
        }
    }

    @Test
    void aReplyWrittenLaterOutsideAReceiveGoesOut() throws Exception {
        ListeningPort port = listen(reactor, new DatagramEcho() {
            @Override
            public void datagramReceived(ByteBuffer data, SocketAddress sender) {
                ByteBuffer reply = ByteBuffer.allocate(data.remaining()).put(data).flip();
                reactor.callFromThread(() -> transport.write(reply, sender));
            }
        });
        try (Client client = openClient()) {
            client.send(ascii("later"), port.address());
            assertEquals("later", client.receive());
        }
    }

    @Test
    void anOverlongDatagramIsDroppedAndLoggedNeverCut() throws Exception {
        List<Integer> lengths = new ArrayList<>();
        CompletableFuture<Void> secondArrived = new CompletableFuture<>();
        ListeningPort port = listen(reactor, (data, sender) -> {
            lengths.add(data.remaining());
            secondArrived.complete(null);
        });
        try (Client client = openClient()) {
            client.send(ByteBuffer.allocate(MAX_DATAGRAM + 1), port.address());
            client.send(ByteBuffer.allocate(MAX_DATAGRAM), port.address());
            secondArrived.get(10, SECONDS);
        }
        assertEquals(List.of(MAX_DATAGRAM), onLoop(() -> List.copyOf(lengths)), "the over-long one never arrived");
        assertTrue(log.await("dropped a datagram").contains("than the limit of " + MAX_DATAGRAM));
    }

    @Test
    void aDatagramToAnUnreachablePeerIsDroppedAndThePortGoesOn() throws Exception {
        SocketAddress nobody = unreachable();
        ListeningPort port = listen(reactor, new DatagramEcho() {
            @Override
            public void datagramReceived(ByteBuffer data, SocketAddress sender) {
                transport.write(ascii("lost"), nobody);
                super.datagramReceived(data, sender);
            }
        });
        try (Client client = openClient()) {
            for (String message : List.of("first", "second", "third")) {
                client.send(ascii(message), port.address());
                assertEquals(message, client.receive(), "the port still answers after sending to " + nobody);
            }
        }
    }

    @Test
    void stoppingListeningStopsTheProtocolOnceAndFreesTheAddress() throws Exception {
        AtomicInteger stops = new AtomicInteger();
        ListeningPort port = listen(reactor, new DatagramEcho() {
            @Override
            public void stopProtocol() {
                stops.incrementAndGet();
            }
        });
        port.stopListening().toCompletableFuture().get(10, SECONDS);
        port.stopListening().toCompletableFuture().get(10, SECONDS);
        assertEquals(1, onLoop(stops::get));
        ListeningPort again = listenAgain(reactor, port, new DatagramEcho());
        try (Client client = openClient()) {
            client.send(ascii("again"), again.address());
            assertEquals("again", client.receive());
        }
    }

    @Test
    void aProtocolStoppingListeningInStartProtocolIsStoppedOnce() throws Exception {
        StopsListeningOnStart protocol = new StopsListeningOnStart();
        protocol.port.complete(listen(reactor, protocol));
        protocol.stopping.get(10, SECONDS).toCompletableFuture().get(10, SECONDS);
        protocol.stopped.get(10, SECONDS);
        reactor.close();   // stopping the loop must not stop the protocol a second time
        assertEquals(1, protocol.stopProtocolCalls.get());
    }

    @Test
    void stoppingWhileBusyStopsCleanlyAndNothingArrivesAfterTheStop() throws Exception {
        AtomicBoolean stopped = new AtomicBoolean();
        AtomicInteger afterStop = new AtomicInteger();
        CompletableFuture<Void> busy = new CompletableFuture<>();
        ListeningPort port = listen(reactor, new DatagramEcho() {
            @Override
            public void datagramReceived(ByteBuffer data, SocketAddress sender) {
                if (stopped.get()) {
                    afterStop.incrementAndGet();
                }
                busy.complete(null);
                super.datagramReceived(data, sender);   // replies nobody reads pile up in the port's send queue
            }

            @Override
            public void stopProtocol() {
                stopped.set(true);
            }
        });
        try (Client client = openClient()) {
            for (int i = 0; i < 200; i++) {
                client.send(ascii("busy " + i), port.address());
            }
            busy.get(10, SECONDS);
            port.stopListening().toCompletableFuture().get(10, SECONDS);
        }
        assertTrue(onLoop(stopped::get));
        assertEquals(0, onLoop(afterStop::get), "no datagram reaches a stopped protocol");
        assertFalse(reactor.whenStopped().toCompletableFuture().isDone(), "the reactor runs on");
    }
}
