package dev.pier.blocking;

import java.io.IOException;
import java.nio.channels.ClosedSelectorException;
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

    /**
     * Waits until the channel is ready (true), {@code timeout} passes ({@code null}: no limit), a wake-up, or the
     * server is closed (as by a handler calling close while the loop was about to wait).
     */
    boolean await(Duration timeout) throws IOException {
        if (!selector.isOpen()) {
            return false;
        }
        try {
            int ready = select(timeout);
            selector.selectedKeys().clear();
            return ready > 0;
        } catch (ClosedSelectorException closedMeanwhile) {
            return false;
        }
    }

    private int select(Duration timeout) throws IOException {
        int ready;
        if (timeout == null) {
            ready = selector.select();
        } else if (timeout.isZero()) {
            ready = selector.selectNow();
        } else {
            ready = selector.select(Math.max(1, timeout.toMillis()));
        }
        return ready;
    }

    void wakeUp() {
        selector.wakeup();
    }

    @Override
    public void close() throws IOException {
        selector.close();
    }
}
