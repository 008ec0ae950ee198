package dev.pier.jfr;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pier.blocking.StreamRequestHandler;
import dev.pier.blocking.TcpServer;
import dev.pier.reactor.ListeningPort;
import dev.pier.reactor.Protocol;
import dev.pier.reactor.Reactor;
import dev.pier.reactor.Transport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Flight Recorder events, read back from a recording stream of this process. */
@Timeout(60)
class PierEventsTest {

    private RecordingStream stream;
    private final List<RecordedEvent> events = new ArrayList<>();   // guarded by itself

    @BeforeEach
    void record() {
        stream = new RecordingStream();
        for (String name : List.of("dev.pier.ConnectionOpened", "dev.pier.ConnectionClosed", "dev.pier.LoopStall",
                "dev.pier.RequestHandled")) {
            stream.enable(name);
        }
        stream.onEvent(event -> {
            synchronized (events) {
                events.add(event);
                events.notifyAll();
            }
        });
    }

    @AfterEach
    void stop() {
        stream.close();
    }

    /** Waits until an event of {@code type} that {@code matches} was read from the stream, and returns it. */
    private RecordedEvent await(String type, Predicate<RecordedEvent> matches) throws InterruptedException {
        long deadline = System.nanoTime() + SECONDS.toNanos(30);
        synchronized (events) {
            while (true) {
                for (RecordedEvent event : events) {
                    if (event.getEventType().getName().equals(type) && matches.test(event)) {
                        return event;
                    }
                }
                long left = deadline - System.nanoTime();
                assertTrue(left > 0, "no " + type + " event arrived; got " + events);
                // Woken by the stream's handler as each event arrives.
                events.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    @Test
    void aReactorConnectionIsRecordedWhenOpenedAndWhenClosedWithItsBytesAndReason() throws Exception {
        stream.startAsync();
        try (Reactor reactor = Reactor.start()) {
            ListeningPort port = reactor.listenTcp(0, peer -> new Echo(), "127.0.0.1");
            String client;
            String server = "/127.0.0.1:" + port.port();
            try (SocketChannel channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", port.port()))) {
                client = channel.getLocalAddress().toString();
                channel.write(ByteBuffer.wrap("hello".getBytes(UTF_8)));
                ByteBuffer reply = ByteBuffer.allocate(5);
                while (reply.hasRemaining() && channel.read(reply) >= 0) {
                    // reading the echo
                }
                assertEquals("hello", new String(reply.array(), UTF_8));
            }

            RecordedEvent opened = await("dev.pier.ConnectionOpened",
                    e -> client.equals(e.getString("remoteAddress")));
            assertEquals(server, opened.getString("localAddress"));

            RecordedEvent closed = await("dev.pier.ConnectionClosed",
                    e -> client.equals(e.getString("remoteAddress")));
            assertEquals(server, closed.getString("localAddress"));
            assertEquals(5, closed.getLong("bytesRead"));
            assertEquals(5, closed.getLong("bytesWritten"));
            assertEquals("clean", closed.getString("reason"));
            assertEquals("Pier", closed.getEventType().getCategoryNames().getFirst());
        }
    }

    @Test
    void aLostConnectionIsRecordedWithTheCause() throws Exception {
        stream.startAsync();
        try (Reactor reactor = Reactor.start()) {
            ListeningPort port = reactor.listenTcp(0, peer -> new Protocol() {
                @Override
                public void connectionMade(Transport transport) {
                    transport.abortConnection();
                }

                @Override
                public void dataReceived(ByteBuffer data) {
                }
            }, "127.0.0.1");
            String client;
            try (SocketChannel channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", port.port()))) {
                client = channel.getLocalAddress().toString();
                try {
                    channel.read(ByteBuffer.allocate(1));
                } catch (IOException reset) {
                    // the server aborted: a reset
                }
            }
            RecordedEvent closed = await("dev.pier.ConnectionClosed",
                    e -> client.equals(e.getString("remoteAddress")));
            assertEquals("connection aborted", closed.getString("reason"));
        }
    }

    @Test
    void aLoopPassThatHoldsTheLoopIsRecordedAsAStall() throws Exception {
        stream.startAsync();
        try (Reactor reactor = Reactor.start()) {
            CompletableFuture<String> loopThread = new CompletableFuture<>();
            reactor.callFromThread(() -> {
                long start = System.nanoTime();
                while (System.nanoTime() - start < Duration.ofMillis(80).toNanos()) {
                    Thread.onSpinWait();   // the work that holds the loop
                }
                loopThread.complete(Thread.currentThread().getName());
            });
            String name = loopThread.get(10, SECONDS);
            // Another pass may stall too on a busy machine (a pause, a descheduled thread): the one held is there.
            await("dev.pier.LoopStall", e -> name.equals(e.getString("loop"))
                    && e.getDuration().compareTo(Duration.ofMillis(80)) >= 0);
        }
    }

    @Test
    void blockingRequestsAreRecordedWithTheirClientAndWhetherTheyFailed() throws Exception {
        stream.startAsync();
        try (TcpServer server = new TcpServer("127.0.0.1", 0, () -> new StreamRequestHandler() {
            @Override
            protected void handle() throws Exception {
                String line = readLine();
                if ("fail".equals(line)) {
                    throw new IOException("the handler failed on purpose");
                }
                out().write((line + "\n").getBytes(UTF_8));
            }
        })) {
            String ok = request(server, "hello");
            RecordedEvent handled = await("dev.pier.RequestHandled", e -> ok.equals(e.getString("clientAddress")));
            assertFalse(handled.getBoolean("failed"));
            assertFalse(handled.getDuration().isNegative());

            String failing = request(server, "fail");
            RecordedEvent failed = await("dev.pier.RequestHandled",
                    e -> failing.equals(e.getString("clientAddress")));
            assertTrue(failed.getBoolean("failed"));
        }
    }

    /** Sends one line to {@code server}, which handles it on this thread; returns the client's address. */
    private static String request(TcpServer server, String line) throws Exception {
        try (SocketChannel channel = SocketChannel.open(server.address())) {
            channel.write(ByteBuffer.wrap((line + "\n").getBytes(UTF_8)));
            server.handleRequest();
            return channel.getLocalAddress().toString();
        }
    }

    /** Writes back whatever it receives. */
    private static final class Echo implements Protocol {
        private Transport transport;

        @Override
        public void connectionMade(Transport t) {
            transport = t;
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            transport.write(data);
        }
    }
}
