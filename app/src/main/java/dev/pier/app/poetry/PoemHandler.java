package dev.pier.app.poetry;

import dev.pier.app.cli.ClientNames;
import dev.pier.app.cli.Messages;
import dev.pier.blocking.StreamRequestHandler;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.StandardSocketOptions;
import java.time.Duration;

/**
 * The poetry server of the blocking model: one handler per client writes the poem and returns; at a slow pace it
 * sleeps between chunks, which is fine here because the handler has its own thread (or, with the synchronous
 * strategy, makes the other clients wait, as in the tutorial's first blocking server).
 *
 * <p>Until the last byte is written, the socket is set to close with a reset: a poem cut short, whether the handler
 * fails, is stopped, or its process ends or is killed mid-poem, never ends with the orderly close of a whole poem.
 */
final class PoemHandler extends StreamRequestHandler {

    private static final Logger LOG = System.getLogger(PoemHandler.class.getName());

    /** Where the handler reads the time and waits between chunks: the system's, or a test's manual clock. */
    interface Timing {
        Timing SYSTEM = new Timing() {
            @Override
            public long nanoTime() {
                return System.nanoTime();
            }

            @Override
            public void pause(Duration duration) throws InterruptedException {
                Thread.sleep(duration);
            }
        };

        long nanoTime();

        void pause(Duration duration) throws InterruptedException;
    }

    private final Poem poem;
    private final Pace pace;
    private final Timing timing;

    PoemHandler(Poem poem, Pace pace) {
        this(poem, pace, Timing.SYSTEM);
    }

    PoemHandler(Poem poem, Pace pace, Timing timing) {
        this.poem = poem;
        this.pace = pace;
        this.timing = timing;
    }

    @Override
    protected void handle() {
        long start = timing.nanoTime();
        int sent = 0;
        try {
            resetOnClose(true);
            switch (pace) {
                case Pace.Fast fast -> {
                    out().write(poem.text());
                    sent = poem.size();
                }
                case Pace.Slow slow -> {
                    while (sent < poem.size()) {
                        int length = Math.min(slow.chunkBytes(), poem.size() - sent);
                        out().write(poem.text(), sent, length);
                        sent += length;
                        if (sent < poem.size()) {
                            timing.pause(slow.delay());
                        }
                    }
                }
            }
            resetOnClose(false);
            long millis = (timing.nanoTime() - start) / 1_000_000;
            LOG.log(Level.INFO, () -> "served " + poem.size() + " bytes to " + client() + " in " + millis
                    + " ms (" + poem.name() + ")");
        } catch (IOException e) {
            stoppedEarly(start, sent, "client " + client() + " left early", Messages.reason(e));
        } catch (InterruptedException e) {
            // The server is closing and its grace period is over.
            Thread.currentThread().interrupt();
            stoppedEarly(start, sent, "stopped sending to " + client(), "the server is stopping");
        }
    }

    /** With {@code reset}, closing the socket sends a reset (SO_LINGER 0); otherwise the usual orderly close. */
    private void resetOnClose(boolean reset) throws IOException {
        if (request().supportedOptions().contains(StandardSocketOptions.SO_LINGER)) {
            request().setOption(StandardSocketOptions.SO_LINGER, reset ? 0 : -1);
        }
    }

    private void stoppedEarly(long start, int sent, String what, String why) {
        long millis = (timing.nanoTime() - start) / 1_000_000;
        LOG.log(Level.INFO, () -> what + " after " + sent + " of " + poem.size() + " bytes in " + millis + " ms ("
                + poem.name() + "): " + why);
    }

    private String client() {
        return ClientNames.of(clientAddress());
    }
}
