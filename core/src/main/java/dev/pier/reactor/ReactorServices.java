package dev.pier.reactor;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/**
 * What code handed a reactor asks of it: listen, connect, time, the loop thread and the log (Twisted's
 * {@code IReactorTCP}, {@code IReactorUDP} and {@code IReactorTime} together). {@link Reactor} is the real one;
 * code that takes this type instead can be tested on {@code dev.pier.testing.MemoryReactor}, with no network and a
 * manual clock.
 *
 * <pre>{@code
 * void keepConnected(ReactorServices reactor) {
 *     new ReconnectingClientFactory(peer -> new Heartbeat(), Backoff.defaults(), new Random())
 *             .connectTcp(reactor, "127.0.0.1", 7000);
 * }
 * }</pre>
 */
public interface ReactorServices extends Scheduler {

    /** Listens for TCP connections on {@code port} (0: any free port) of one interface, e.g. {@code "127.0.0.1"}. */
    ListeningPort listenTcp(int port, ProtocolFactory factory, String interfaceAddress);

    /** Receives UDP datagrams on {@code port} of one interface. */
    ListeningPort listenUdp(int port, DatagramProtocol protocol, String interfaceAddress);

    /**
     * Connects to {@code host:port}; the future completes with the protocol after its {@code connectionMade}, or
     * fails as the factory hears {@code connectionFailed}. Cancelling it abandons the attempt.
     */
    CompletableFuture<Protocol> connectTcp(String host, int port, ClientFactory factory);

    /** Connects to the Unix stream socket at {@code path}; see {@link #connectTcp}. */
    CompletableFuture<Protocol> connectUnix(Path path, ClientFactory factory);

    /** Runs {@code task} on the loop thread as soon as possible; safe from any thread. */
    void callFromThread(Runnable task);

    /** Where the reactor reports, and where code it runs reports too. */
    System.Logger logger();
}
