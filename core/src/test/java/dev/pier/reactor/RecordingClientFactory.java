package dev.pier.reactor;

import java.net.SocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/** A client factory that records failures and losses. */
final class RecordingClientFactory implements ClientFactory {

    final CompletableFuture<Throwable> failed = new CompletableFuture<>();
    final CompletableFuture<DisconnectReason> lost = new CompletableFuture<>();
    final AtomicInteger built = new AtomicInteger();
    private final Supplier<? extends Protocol> protocols;

    RecordingClientFactory(Supplier<? extends Protocol> protocols) {
        this.protocols = protocols;
    }

    @Override
    public Protocol buildProtocol(SocketAddress peer) {
        built.incrementAndGet();
        return protocols.get();
    }

    @Override
    public void connectionFailed(SocketAddress address, Throwable cause) {
        failed.complete(cause);
    }

    @Override
    public void connectionLost(SocketAddress address, DisconnectReason reason) {
        lost.complete(reason);
    }
}
