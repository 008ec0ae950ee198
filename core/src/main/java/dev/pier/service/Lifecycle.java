package dev.pier.service;

import dev.pier.service.Service.Health;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The health of a service, moving one way only (a stop that comes while it starts makes it drain as soon as it has
 * started), the end of its start, and the future its end completes.
 */
final class Lifecycle {

    private final String name;
    private final AtomicReference<Health> health = new AtomicReference<>(Health.NEW);
    private final CompletableFuture<Void> startEnded = new CompletableFuture<>();
    private final CompletableFuture<Void> finished = new CompletableFuture<>();

    Lifecycle(String name) {
        this.name = name;
    }

    Health health() {
        return health.get();
    }

    CompletableFuture<Void> finished() {
        return finished;
    }

    /** Claims the one start. */
    void starting() {
        if (!health.compareAndSet(Health.NEW, Health.STARTING)) {
            throw new IllegalStateException("the service " + name + " was started before: build a new one");
        }
    }

    /** The start succeeded: it serves, unless a stop came meanwhile, which then finds it started. */
    void started() {
        health.compareAndSet(Health.STARTING, Health.SERVING);
        startEnded.complete(null);
    }

    /** Whether a stop has something to stop: true once, for a service that started or is starting. */
    boolean draining() {
        return health.compareAndSet(Health.SERVING, Health.DRAINING)
                || health.compareAndSet(Health.STARTING, Health.DRAINING);
    }

    /** Waits for a start in progress to end, so that a stop finds what it started. */
    void awaitStart() {
        if (health.get() != Health.NEW) {
            startEnded.join();
        }
    }

    void stopped(Throwable failure) {
        health.set(Health.STOPPED);
        startEnded.complete(null);
        if (failure == null) {
            finished.complete(null);
        } else {
            finished.completeExceptionally(failure);
        }
    }
}
