package dev.pier.service;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waiting for a service's end without making its failure the waiter's: {@link Service#finished()} reports that. */
final class Waiting {

    private Waiting() {
    }

    static void upTo(CompletableFuture<?> end, Duration limit) {
        try {
            end.get(limit.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException failedOrStillGoing) {
            // Said by the future itself, to whoever asks it.
        }
    }
}
