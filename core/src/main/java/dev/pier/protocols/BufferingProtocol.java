package dev.pier.protocols;

import dev.pier.layer.Layer;
import dev.pier.reactor.AbstractProtocol;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * What the receivers share: input is gathered in one {@link ByteAccumulator} and cut into messages one at a time,
 * stopping as soon as the protocol pauses reading or closes the connection, and going on when reading resumes.
 * Messages are delivered from the loop below only, never re-entrantly.
 */
abstract class BufferingProtocol extends AbstractProtocol {

    final ByteAccumulator buffer = new ByteAccumulator();
    private boolean delivering;
    private boolean discardingInput;

    @Override
    public final void dataReceived(ByteBuffer data) {
        if (discardingInput) {
            data.position(data.limit());
            return;
        }
        if (!delivering && buffer.readable() == 0 && !isReadingPaused() && !isDisconnecting()) {
            boolean handled;
            delivering = true;
            try {
                handled = handledWithoutBuffering(data);
            } finally {
                delivering = false;
            }
            if (handled) {
                deliverBuffered();
                return;
            }
        }
        buffer.append(data, !delivering);
        deliverBuffered();
    }

    /**
     * May handle {@code data} straight from the caller's buffer when nothing is buffered; true if it did (whatever
     * it left unread is dropped). Used by raw mode.
     */
    boolean handledWithoutBuffering(ByteBuffer data) {
        return false;
    }

    /** Cuts the next message from {@link #buffer} and delivers it; false if more input is needed. */
    abstract boolean deliverNext();

    /** From now on, input is dropped unread: the stream can no longer be parsed. */
    final void discardInput() {
        discardingInput = true;
        buffer.clear();
    }

    /**
     * Adds {@code layer} to this live connection (STARTTLS: {@code addLayer(tls.newLayer(transport().remoteAddress()))}
     * once the peer agreed). The bytes this protocol received and has not handled came after the command: they go
     * through the new layer, never up as they were, so nothing sent in plaintext passes for what came over TLS.
     */
    protected final void addLayer(Layer layer) {
        ByteBuffer leftOver = ByteBuffer.wrap(Arrays.copyOfRange(buffer.array(), buffer.start(), buffer.end()));
        buffer.clear();
        transport().addLayer(layer, leftOver);
    }

    final boolean isDelivering() {
        return delivering;
    }

    final void deliverBuffered() {
        if (delivering) {
            return;
        }
        delivering = true;
        try {
            while (!discardingInput && !isReadingPaused() && !isDisconnecting() && buffer.readable() > 0
                    && deliverNext()) {
                // one message per iteration
            }
        } finally {
            delivering = false;
            buffer.compact();
        }
    }

    @Override
    public void readingResumed() {
        deliverBuffered();
    }
}
