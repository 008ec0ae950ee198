package dev.pier.blocking;

import java.time.Duration;
import java.util.Objects;

/**
 * The thread-per-request strategy, on platform or virtual threads. Immutable: each {@code with} method returns a
 * changed copy.
 *
 * <pre>{@code
 * Concurrency.threads().withDaemon(true).withMaxConcurrentRequests(200).withCloseGracePeriod(Duration.ofSeconds(2))
 * }</pre>
 *
 * <p>A finished request's thread is forgotten at once: nothing grows with the number of requests served.
 */
public final class ThreadPerRequest implements Concurrency {

    /** How long {@link BaseServer#close()} waits for running requests by default. */
    public static final Duration DEFAULT_CLOSE_GRACE_PERIOD = Duration.ofSeconds(10);

    static final ThreadPerRequest PLATFORM = new ThreadPerRequest(false, false, true, DEFAULT_CLOSE_GRACE_PERIOD, 0);
    static final ThreadPerRequest VIRTUAL = new ThreadPerRequest(true, true, true, DEFAULT_CLOSE_GRACE_PERIOD, 0);

    private final boolean virtual;
    private final boolean daemon;
    private final boolean blockOnClose;
    private final Duration closeGracePeriod;
    private final int maxConcurrentRequests;

    private ThreadPerRequest(boolean virtual, boolean daemon, boolean blockOnClose, Duration closeGracePeriod,
                             int maxConcurrentRequests) {
        this.virtual = virtual;
        this.daemon = daemon;
        this.blockOnClose = blockOnClose;
        this.closeGracePeriod = closeGracePeriod;
        this.maxConcurrentRequests = maxConcurrentRequests;
    }

    /**
     * Whether request threads are daemon threads, which do not keep the JVM alive (default false, as Python's
     * {@code daemon_threads}). Virtual threads are always daemon threads.
     *
     * @throws UnsupportedOperationException when asking virtual threads not to be daemons
     */
    public ThreadPerRequest withDaemon(boolean daemon) {
        if (virtual && !daemon) {
            throw new UnsupportedOperationException("virtual threads are always daemon threads");
        }
        return new ThreadPerRequest(virtual, daemon, blockOnClose, closeGracePeriod, maxConcurrentRequests);
    }

    /**
     * Whether {@link BaseServer#close()} waits for running requests to finish (default true), for at most the
     * {@linkplain #withCloseGracePeriod grace period}.
     */
    public ThreadPerRequest withBlockOnClose(boolean blockOnClose) {
        return new ThreadPerRequest(virtual, daemon, blockOnClose, closeGracePeriod, maxConcurrentRequests);
    }

    /** The longest {@link BaseServer#close()} waits for running requests (default 10 seconds). */
    public ThreadPerRequest withCloseGracePeriod(Duration closeGracePeriod) {
        Objects.requireNonNull(closeGracePeriod, "closeGracePeriod");
        if (closeGracePeriod.isNegative()) {
            throw new IllegalArgumentException("closeGracePeriod must not be negative, got " + closeGracePeriod);
        }
        return new ThreadPerRequest(virtual, daemon, blockOnClose, closeGracePeriod, maxConcurrentRequests);
    }

    /**
     * The most requests handled at once; at the cap the server waits for one to finish before handing out the
     * next. 0 (the default) means no cap.
     */
    public ThreadPerRequest withMaxConcurrentRequests(int maxConcurrentRequests) {
        if (maxConcurrentRequests < 0) {
            throw new IllegalArgumentException(
                    "maxConcurrentRequests must be 0 (no cap) or positive, got " + maxConcurrentRequests);
        }
        return new ThreadPerRequest(virtual, daemon, blockOnClose, closeGracePeriod, maxConcurrentRequests);
    }

    public boolean virtual() {
        return virtual;
    }

    public boolean daemon() {
        return daemon;
    }

    public boolean blockOnClose() {
        return blockOnClose;
    }

    public Duration closeGracePeriod() {
        return closeGracePeriod;
    }

    public int maxConcurrentRequests() {
        return maxConcurrentRequests;
    }

    @Override
    public String toString() {
        return (virtual ? "virtualThreads" : daemon ? "daemonThreads" : "threads")
                + (maxConcurrentRequests > 0 ? "(max " + maxConcurrentRequests + ")" : "");
    }
}
