package dev.pier.blocking;

import java.lang.System.Logger.Level;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/** Starts a thread per request, tracking only the threads still running. */
final class ThreadDispatcher implements RequestDispatcher {

    private static final System.Logger LOG = System.getLogger(ThreadDispatcher.class.getName());
    private static final AtomicLong SERVER_NUMBERS = new AtomicLong();

    private final ThreadPerRequest strategy;
    private final Thread.Builder threads;
    private final Set<Thread> running = ConcurrentHashMap.newKeySet();
    private final Semaphore slots;

    ThreadDispatcher(ThreadPerRequest strategy) {
        this.strategy = strategy;
        String prefix = "pier-request-" + SERVER_NUMBERS.incrementAndGet() + "-";
        this.threads = strategy.virtual()
                ? Thread.ofVirtual().name(prefix, 1)
                : Thread.ofPlatform().daemon(strategy.daemon()).name(prefix, 1);
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
