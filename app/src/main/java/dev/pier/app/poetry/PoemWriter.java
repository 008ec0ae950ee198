package dev.pier.app.poetry;

import dev.pier.reactor.Producer;
import dev.pier.reactor.Transport;

import java.nio.ByteBuffer;

/**
 * Writes a poem, or a part of it, to a transport as fast as the peer reads it: a streaming {@link Producer} that the
 * transport pauses while its buffer is full, so a big poem sent to many clients costs a buffer's worth of memory per
 * client, not a copy of the poem, and no write ever comes near the transport's limit of unsent bytes.
 */
final class PoemWriter implements Producer {

    private static final int CHUNK = 16 * 1024;

    private final Transport transport;
    private final byte[] poem;
    private final int end;
    private final Runnable then;
    private int written;
    private boolean paused;
    private boolean stopped;

    private PoemWriter(Transport transport, byte[] poem, int from, int end, Runnable then) {
        this.transport = transport;
        this.poem = poem;
        this.written = from;
        this.end = end;
        this.then = then;
    }

    /** Starts writing {@code poem} to {@code transport}; the connection is closed once all of it was sent. */
    static PoemWriter start(Transport transport, byte[] poem) {
        return start(transport, poem, 0, poem.length, transport::loseConnection);
    }

    /**
     * Starts writing bytes {@code from} to {@code end} of {@code poem} to {@code transport}; once the transport has
     * taken the last of them, the writer unregisters and runs {@code then}. Nothing runs if the connection ends first.
     */
    static PoemWriter start(Transport transport, byte[] poem, int from, int end, Runnable then) {
        PoemWriter writer = new PoemWriter(transport, poem, from, end, then);
        transport.registerProducer(writer, true);
        writer.resumeProducing();
        return writer;
    }

    /** The end of what was handed to the transport so far, as an offset in the poem. */
    int written() {
        return written;
    }

    @Override
    public void resumeProducing() {
        paused = false;
        while (!paused && !stopped && written < end) {
            int length = Math.min(CHUNK, end - written);
            transport.write(ByteBuffer.wrap(poem, written, length));
            written += length;
        }
        if (written == end && !stopped) {
            stopped = true;
            transport.unregisterProducer();
            then.run();
        }
    }

    @Override
    public void pauseProducing() {
        paused = true;
    }

    @Override
    public void stopProducing() {
        stopped = true;
    }
}
