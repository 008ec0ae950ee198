package dev.pier.reactor;

import dev.pier.reactor.internal.Callbacks;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongConsumer;

/**
 * Runs a task every {@code interval} on a {@link Scheduler} (Twisted's {@code task.LoopingCall}).
 *
 * <p>Runs are aligned to the start time: the n-th run is due at {@code start + n * interval}. When the loop falls
 * behind (the loop thread was busy, or a test advanced a {@code ManualClock} past several runs at once) the missed
 * runs are skipped, not replayed; {@link #withCount} tells the task how many intervals passed since its last run.
 * An exception thrown by the task ends the loop and completes the future returned by {@link #start}
 * exceptionally. All methods must be called on the scheduler's loop thread. A zero interval runs the task on every
 * pass of the event loop; on a {@code ManualClock} such a loop never lets {@code advance} return.
 *
 * <pre>{@code
 * LoopingCall heartbeat = LoopingCall.every(transport.scheduler(), Duration.ofSeconds(1), this::sendPing);
 * heartbeat.start(true).whenComplete((done, error) -> log.log(INFO, "heartbeat ended", error));
 * ...
 * heartbeat.stop();
 * }</pre>
 */
public final class LoopingCall {

    private final Scheduler scheduler;
    private final long intervalNanos;
    private final LongConsumer task;
    private CompletableFuture<Void> completion;
    private DelayedCall nextCall;
    private long startNanos;
    private long lastRunNanos;

    private LoopingCall(Scheduler scheduler, Duration interval, LongConsumer task) {
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        Objects.requireNonNull(interval, "interval");
        if (interval.isNegative()) {
            throw new IllegalArgumentException("interval must not be negative, got " + interval);
        }
        this.intervalNanos = interval.toNanos();
        this.task = Objects.requireNonNull(task, "task");
    }

    /** A loop (not started) that runs {@code task} every {@code interval} on {@code scheduler}. */
    public static LoopingCall every(Scheduler scheduler, Duration interval, Runnable task) {
        Objects.requireNonNull(task, "task");
        return new LoopingCall(scheduler, interval, intervals -> task.run());
    }

    /**
     * A loop (not started) whose task receives the number of intervals that passed since its previous run (1 when
     * on time, more when runs were skipped; Twisted's {@code LoopingCall.withCount}). With a zero interval the
     * count is always 1.
     */
    public static LoopingCall withCount(Scheduler scheduler, Duration interval, LongConsumer task) {
        return new LoopingCall(scheduler, interval, task);
    }

    /** The interval between runs. */
    public Duration interval() {
        return Duration.ofNanos(intervalNanos);
    }

    /**
     * Starts the loop: the task runs now if {@code now}, else first after one interval. The returned future
     * completes normally when {@link #stop()} is called and exceptionally with the task's exception if it throws.
     *
     * @throws IllegalStateException if the loop is already running
     */
    public CompletableFuture<Void> start(boolean now) {
        if (isRunning()) {
            throw new IllegalStateException("the loop is already running: stop it before starting it again");
        }
        CompletableFuture<Void> future = new CompletableFuture<>();
        completion = future;
        startNanos = scheduler.nanoTime();
        lastRunNanos = now ? startNanos - intervalNanos : startNanos;
        if (now) {
            runTask();
        } else {
            scheduleNext();
        }
        return future;
    }

    /** Stops the loop and completes the future returned by {@link #start}; does nothing if it is not running. */
    public void stop() {
        if (!isRunning()) {
            return;
        }
        if (nextCall != null) {
            nextCall.cancel();
            nextCall = null;
        }
        CompletableFuture<Void> finished = completion;
        completion = null;
        finished.complete(null);
    }

    /** True between {@link #start} and {@link #stop()} (or the task's failure). */
    public boolean isRunning() {
        return completion != null;
    }

    private void runTask() {
        nextCall = null;
        CompletableFuture<Void> running = completion;
        long now = scheduler.nanoTime();
        long intervals = intervalNanos == 0 ? 1 : intervalIndex(now) - intervalIndex(lastRunNanos);
        lastRunNanos = now;
        try {
            task.accept(Math.max(1, intervals));
        } catch (RuntimeException | Error e) {
            if (completion == running) {
                completion = null;
                running.completeExceptionally(e);
            }
            if (!Callbacks.isRecoverable(e)) {
                throw e;   // it stops the loop too (see Reactor's "Failure")
            }
            return;
        }
        if (completion == running) {
            scheduleNext();
        }
    }

    private long intervalIndex(long nanos) {
        return Math.floorDiv(nanos - startNanos, intervalNanos);
    }

    private void scheduleNext() {
        long delay;
        if (intervalNanos == 0) {
            delay = 0;
        } else {
            long runningFor = scheduler.nanoTime() - startNanos;
            delay = intervalNanos - Math.floorMod(runningFor, intervalNanos);
        }
        nextCall = scheduler.callLater(Duration.ofNanos(delay), this::runTask);
    }

    @Override
    public String toString() {
        return "LoopingCall[every " + interval() + (isRunning() ? ", running]" : ", stopped]");
    }
}
