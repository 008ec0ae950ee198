package dev.pier.reactor;

import static java.util.concurrent.TimeUnit.SECONDS;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

/** Stops listening from its own startProtocol, as a protocol that finds it has nothing to serve would. */
class StopsListeningOnStart implements DatagramProtocol {

    /** To be completed with the port listen returns. */
    final CompletableFuture<ListeningPort> port = new CompletableFuture<>();
    /** What stopListening returned inside startProtocol. */
    final CompletableFuture<CompletionStage<Void>> stopping = new CompletableFuture<>();
    final CompletableFuture<Void> stopped = new CompletableFuture<>();
    final AtomicInteger stopProtocolCalls = new AtomicInteger();

    @Override
    public void startProtocol(DatagramTransport transport) {
        // listen hands the start to the loop, so this can run before listen has returned the port.
        stopping.complete(port.orTimeout(10, SECONDS).join().stopListening());
    }

    @Override
    public void datagramReceived(ByteBuffer data, SocketAddress sender) {
        throw new AssertionError("a port stopped at its start received a datagram from " + sender);
    }

    @Override
    public void stopProtocol() {
        stopProtocolCalls.incrementAndGet();
        stopped.complete(null);
    }
}
