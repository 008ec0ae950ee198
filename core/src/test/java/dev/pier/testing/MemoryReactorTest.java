package dev.pier.testing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pier.reactor.ClientFactory;
import dev.pier.reactor.DatagramProtocol;
import dev.pier.reactor.DisconnectReason;
import dev.pier.reactor.Protocol;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class MemoryReactorTest {

    private final MemoryReactor reactor = new MemoryReactor();
    private final List<String> events = new ArrayList<>();

    private ClientFactory recordingFactory(Protocol protocol) {
        return new ClientFactory() {
            @Override
            public Protocol buildProtocol(SocketAddress peer) {
                events.add("built for " + peer);
                return protocol;
            }

            @Override
            public void startedConnecting(SocketAddress address) {
                events.add("started");
            }

            @Override
            public void connectionFailed(SocketAddress address, Throwable cause) {
                events.add("failed: " + cause.getClass().getSimpleName());
            }

            @Override
            public void connectionLost(SocketAddress address, DisconnectReason reason) {
                events.add(reason.isClean() ? "closed" : "lost");
            }
        };
    }

    @Test
    void aRecordedListenAcceptsIntoAFakeTransport() {
        MemoryReactor.Listen listen = reactor.listenTcp(10000, peer -> new FakeConnectionTest.Upper(), "127.0.0.1");
        assertEquals(List.of(listen), reactor.listens());
        assertEquals(new InetSocketAddress("127.0.0.1", 10000), listen.address());

        FakeTransport transport = listen.accept();
        transport.receive("hello\r\n");
        assertEquals("HELLO\r\n", transport.writtenString());
        assertSame(reactor.clock(), transport.clock());

        listen.stopListening();
        assertFalse(listen.isListening());
        assertThrows(IllegalStateException.class, listen::accept);
    }

    @Test
    void aRecordedUdpListenStartsItsProtocolOnAFakePort() {
        List<String> received = new ArrayList<>();
        DatagramProtocol protocol = new DatagramProtocol() {
            @Override
            public void datagramReceived(ByteBuffer data, SocketAddress sender) {
                received.add(UTF_8.decode(data).toString());
            }
        };
        MemoryReactor.Listen listen = reactor.listenUdp(0, protocol, "127.0.0.1");
        FakeDatagramTransport port = listen.startDatagrams();
        port.receive("ping".getBytes(UTF_8), new InetSocketAddress("127.0.0.1", 5000));
        assertEquals(List.of("ping"), received);
        assertThrows(IllegalStateException.class, listen::accept, "a UDP listen accepts no connections");
    }

    @Test
    void aConnectThatSucceedsConnectsTheFactorysProtocolAndReportsItsLoss() throws Exception {
        FakeConnectionTest.Upper client = new FakeConnectionTest.Upper();
        CompletableFuture<Protocol> connecting = reactor.connectTcp("example.org", 79, recordingFactory(client));
        MemoryReactor.Connect connect = reactor.pendingConnects().getFirst();
        assertEquals(InetSocketAddress.createUnresolved("example.org", 79), connect.target());
        assertFalse(connecting.isDone());

        FakeTransport transport = connect.succeed();
        assertSame(client, connecting.get());
        assertTrue(reactor.pendingConnects().isEmpty());
        transport.disconnect(DisconnectReason.DONE);
        assertEquals(List.of("started", "built for example.org/<unresolved>:79", "closed"), events);
        assertEquals(List.of("closed"), client.events);
        assertThrows(IllegalStateException.class, connect::succeed, "settled once");
    }

    @Test
    void aConnectFailsRefusesOrIsCancelledAsOnAReactor() {
        CompletableFuture<Protocol> failing = reactor.connectUnix(Path.of("/run/poetry.sock"), recordingFactory(null));
        reactor.pendingConnects().getFirst().fail(new ConnectException("refused"));
        assertTrue(assertThrows(ExecutionException.class, failing::get).getCause() instanceof ConnectException);

        CompletableFuture<Protocol> refused = reactor.connectTcp("127.0.0.1", 1, recordingFactory(null));
        assertNull(reactor.pendingConnects().getFirst().succeed(), "the factory built no protocol");
        assertTrue(refused.isCompletedExceptionally());

        reactor.connectTcp("127.0.0.1", 2, recordingFactory(null)).cancel(false);
        assertTrue(reactor.pendingConnects().isEmpty());
        assertEquals(List.of("started", "failed: ConnectException", "started", "built for 127.0.0.1/<unresolved>:1",
                "failed: ConnectException", "started", "failed: CancellationException"), events);
    }

    @Test
    void timeMovesOnlyOnAdvanceAndCallsFromThreadsRunAtOnce() {
        List<String> ran = new ArrayList<>();
        reactor.callLater(Duration.ofSeconds(1), () -> ran.add("timer"));
        reactor.callFromThread(() -> ran.add("task"));
        assertEquals(List.of("task"), ran);
        reactor.advance(Duration.ofSeconds(1));
        assertEquals(List.of("task", "timer"), ran);
        assertEquals(Duration.ofSeconds(1).toNanos(), reactor.nanoTime());
    }
}
