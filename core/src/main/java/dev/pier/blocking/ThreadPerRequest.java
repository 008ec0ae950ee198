package dev.pier.blocking;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

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

    /** Starts a thread per request, tracking only the threads still running. */
    static final class Dispatcher implements RequestDispatcher {

        private static final System.Logger LOG = System.getLogger(ThreadPerRequest.class.getName());
        private static final AtomicLong SERVER_NUMBERS = new AtomicLong();

        private final ThreadPerRequest strategy;
        private final Thread.Builder threads;
        private final Set<Thread> running = ConcurrentHashMap.newKeySet();
        private final Semaphore slots;

        Dispatcher(ThreadPerRequest strategy) {
            this.strategy = strategy;
            String prefix = "pier-request-" + SERVER_NUMBERS.incrementAndGet() + "-";
            this.threads = strategy.virtual()
                    ? Thread.ofVirtual().name(prefix, 1)
                    : Thread.ofPlatform().daemon(strategy.daemon()).name(prefix, 1);
            if (strategy.virtual()) {
                VirtualThreadPollers.start();
            }
            this.slots = strategy.maxConcurrentRequests() > 0 ? new Semaphore(strategy.maxConcurrentRequests()) : null;
        }

        @Override
        public void dispatch(RequestJob job) throws InterruptedException {
            if (slots != null) {
                slots.acquire();
            }
            Thread thread = threads.unstarted(() -> {
                try {
                    job.handle().run();
                } finally {
                    finished(Thread.currentThread());
                }
            });
            // Registered before start, so that a thread finishing at once cannot be left behind in the set.
            running.add(thread);
            try {
                thread.start();
            } catch (Throwable failure) {
                finished(thread);
                throw failure;
            }
        }

        private void finished(Thread thread) {
            running.remove(thread);
            if (slots != null) {
                slots.release();
            }
        }

        @Override
        public boolean isRequestThread(Thread thread) {
            return running.contains(thread);
        }

        /** Threads still running a request (for tests and monitoring). */
        int runningCount() {
            return running.size();
        }

        @Override
        public OptionalInt requestsInProgress() {
            return OptionalInt.of(running.size());
        }

        @Override
        public void close() {
            if (!strategy.blockOnClose()) {
                return;
            }
            long deadline = System.nanoTime() + strategy.closeGracePeriod().toNanos();
            boolean interrupted = false;
            for (Thread thread : Set.copyOf(running)) {
                if (thread == Thread.currentThread()) {
                    continue;
                }
                try {
                    long left = deadline - System.nanoTime();
                    if (left <= 0 || !thread.join(java.time.Duration.ofNanos(left))) {
                        break;
                    }
                } catch (InterruptedException e) {
                    interrupted = true;
                    break;
                }
            }
            long stillRunning = running.stream().filter(t -> t != Thread.currentThread()).count();
            if (stillRunning > 0) {
                LOG.log(Level.WARNING, "{0} request thread(s) still running after the close grace period of {1}",
                        stillRunning, strategy.closeGracePeriod());
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
