package dev.pier.reactor;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * A protocol that records what happens to it: the transport once made, every byte received and the final reason;
 * {@link HalfClosing} also records the peer's end-of-stream and stays open after it. {@code onData} may react to
 * each chunk received.
 */
class Recorder implements Protocol {

    final CompletableFuture<Transport> made = new CompletableFuture<>();
    final CompletableFuture<Void> readClosed = new CompletableFuture<>();
    final CompletableFuture<Void> writeClosed = new CompletableFuture<>();
    final CompletableFuture<DisconnectReason> lost = new CompletableFuture<>();
    final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private final BiConsumer<Recorder, byte[]> onData;
    Transport transport;

    Recorder() {
        this((r, bytes) -> {});
    }

    Recorder(BiConsumer<Recorder, byte[]> onData) {
        this.onData = onData;
    }

    @Override
    public void connectionMade(Transport t) {
        transport = t;
        made.complete(t);
    }

    @Override
    public void dataReceived(ByteBuffer data) {
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        synchronized (received) {
            received.writeBytes(bytes);
        }
        onData.accept(this, bytes);
    }

    @Override
    public void connectionLost(DisconnectReason reason) {
        lost.complete(reason);
    }

    String text() {
        synchronized (received) {
            return received.toString(StandardCharsets.UTF_8);
        }
    }

    int size() {
        synchronized (received) {
            return received.size();
        }
    }

    /** A recorder that lives on after either direction closed. */
    static class HalfClosing extends Recorder implements HalfCloseableProtocol {

        HalfClosing() {
        }

        HalfClosing(BiConsumer<Recorder, byte[]> onData) {
            super(onData);
        }

        @Override
        public void readConnectionLost() {
            readClosed.complete(null);
        }

        @Override
        public void writeConnectionLost() {
            writeClosed.complete(null);
        }
    }
}
