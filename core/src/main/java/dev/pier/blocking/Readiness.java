package dev.pier.blocking;

import java.io.IOException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.Selector;
import java.time.Duration;

/** Waits for a server channel to become ready, wakeably: what makes shutdown() prompt. */
final class Readiness implements AutoCloseable {

    private final Selector selector;

    /** Puts {@code channel} in non-blocking mode and watches it for {@code operation}. */
    Readiness(SelectableChannel channel, int operation) throws IOException {
        Selector opened = Selector.open();
        try {
            channel.configureBlocking(false);
            channel.register(opened, operation);
        } catch (IOException | RuntimeException e) {
            opened.close();
            throw e;
        }
        this.selector = opened;
    }

    /** Waits until the channel is ready (true), {@code timeout} passes ({@code null}: no limit) or a wake-up. */
    boolean await(Duration timeout) throws IOException {
        int ready;
        if (timeout == null) {
            ready = selector.select();
        } else if (timeout.isZero()) {
            ready = selector.selectNow();
        } else {
            ready = selector.select(Math.max(1, timeout.toMillis()));
        }
        selector.selectedKeys().clear();
        return ready > 0;
    }

    void wakeUp() {
        selector.wakeup();
    }

    @Override
    public void close() throws IOException {
        selector.close();
    }
}
