package dev.pier.app.poetry;

import dev.pier.reactor.Producer;
import dev.pier.reactor.Transport;

import java.nio.ByteBuffer;

/**
 * Writes a poem to a transport as fast as the peer reads it, then closes the connection: a streaming
 * {@link Producer} that the transport pauses while its buffer is full, so a big poem sent to many clients costs a
 * buffer's worth of memory per client, not a copy of the poem.
 */
final class PoemWriter implements Producer {

    private static final int CHUNK = 16 * 1024;

    private final Transport transport;
    private final byte[] poem;
    private int written;
    private boolean paused;
    private boolean stopped;

    private PoemWriter(Transport transport, byte[] poem) {
        this.transport = transport;
        this.poem = poem;
    }

    /** Starts writing {@code poem} to {@code transport}; the connection is closed once all of it was sent. */
    static PoemWriter start(Transport transport, byte[] poem) {
        PoemWriter writer = new PoemWriter(transport, poem);
        transport.registerProducer(writer, true);
        writer.resumeProducing();
        return writer;
    }

    /** Bytes handed to the transport so far. */
    int written() {
        return written;
    }

    @Override
    public void resumeProducing() {
        paused = false;
        while (!paused && !stopped && written < poem.length) {
            int length = Math.min(CHUNK, poem.length - written);
            transport.write(ByteBuffer.wrap(poem, written, length));
            written += length;
        }
        if (written == poem.length && !stopped) {
            stopped = true;
            transport.unregisterProducer();
            transport.loseConnection();
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
