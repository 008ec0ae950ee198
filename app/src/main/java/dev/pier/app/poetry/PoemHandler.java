package dev.pier.app.poetry;

import dev.pier.blocking.StreamRequestHandler;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;

/**
 * The poetry server of the blocking model: one handler per client writes the poem and returns; at a slow pace it
 * sleeps between chunks, which is fine here because the handler has its own thread (or, with the synchronous
 * strategy, makes the other clients wait, as in the tutorial's first blocking server).
 */
final class PoemHandler extends StreamRequestHandler {

    private static final Logger LOG = System.getLogger(PoemHandler.class.getName());

    private final Poem poem;
    private final Pace pace;

    PoemHandler(Poem poem, Pace pace) {
        this.poem = poem;
        this.pace = pace;
    }

    @Override
    protected void handle() throws InterruptedException {
        long start = System.nanoTime();
        int sent = 0;
        try {
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
                            Thread.sleep(slow.delay());
                        }
                    }
                }
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            LOG.log(Level.INFO, () -> "served " + poem.size() + " bytes to " + clientAddress() + " in " + millis
                    + " ms (" + poem.name() + ")");
        } catch (IOException e) {
            long millis = (System.nanoTime() - start) / 1_000_000;
            int delivered = sent;
            LOG.log(Level.INFO, () -> "client " + clientAddress() + " left early after " + delivered + " of "
                    + poem.size() + " bytes in " + millis + " ms (" + poem.name() + "): " + e.getMessage());
        }
    }
}
