package dev.pier.service;

import dev.pier.service.Service.Health;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/** The health of a service, moving one way only, and the future its end completes. */
final class Lifecycle {

    private final String name;
    private final AtomicReference<Health> health = new AtomicReference<>(Health.NEW);
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
        if (!health.compareAndSet(Health.NEW, Health.SERVING)) {
            throw new IllegalStateException("the service " + name + " was started before: build a new one");
        }
    }

    /** Whether a stop has something to stop: true once, for a service that started and has not stopped. */
    boolean draining() {
        return health.compareAndSet(Health.SERVING, Health.DRAINING);
    }

    void stopped(Throwable failure) {
        health.set(Health.STOPPED);
        if (failure == null) {
            finished.complete(null);
        } else {
            finished.completeExceptionally(failure);
        }
    }
}
