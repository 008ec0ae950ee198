package dev.pier.reactor;

/**
 * A source of data written to a {@link Transport} at the pace the transport can take it (Twisted's producers).
 * The transport calls these on the loop thread.
 */
public interface Producer {

    /** Stop writing until {@link #resumeProducing}: the transport's buffer is full. */
    void pauseProducing();

    /** Write more: the transport's buffer drained (for a pull producer, it is empty). */
    void resumeProducing();

    /** The connection is going away: write nothing more, release what you hold. */
    void stopProducing();
}
