package dev.pier.protocols.policies;

import dev.pier.reactor.DelayedCall;
import dev.pier.reactor.Scheduler;
import java.time.Duration;
import java.util.Objects;

/**
 * Runs an action when nothing happened for a while (Twisted's {@code TimeoutMixin}): every {@link #touch()} counts
 * as activity and pushes the deadline back. Touching is cheap (it records the time; the timer is moved only when it
 * fires early), so it can be called on every read and write. Use it on the loop thread.
 *
 * <pre>{@code
 * class Chat extends LineReceiver {
 *     private IdleTimeout idle;
 *     protected void connectionMade() {
 *         idle = IdleTimeout.start(transport().scheduler(), Duration.ofMinutes(5), transport()::abortConnection);
 *     }
 *     protected void lineReceived(String line) { idle.touch(); ... }
 *     public void connectionLost(DisconnectReason reason) { idle.cancel(); }
 * }
 * }</pre>
 *
 * <p>{@link Policies#idleTimeout} applies this to every connection of a factory without changing its protocol.
 */
public final class IdleTimeout {

    private final Scheduler scheduler;
    private final Runnable onTimeout;
    private long timeoutNanos;
    private long lastActivity;
    private DelayedCall timer;

    private IdleTimeout(Scheduler scheduler, Duration timeout, Runnable onTimeout) {
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.onTimeout = Objects.requireNonNull(onTimeout, "onTimeout");
        this.timeoutNanos = positiveNanos(timeout);
    }

    /** Starts counting now: {@code onTimeout} runs once {@code timeout} passes without a {@link #touch()}. */
    public static IdleTimeout start(Scheduler scheduler, Duration timeout, Runnable onTimeout) {
        IdleTimeout idle = new IdleTimeout(scheduler, timeout, onTimeout);
        idle.touch();
        return idle;
    }

    /** Activity: the timeout counts again from now. Restarts a timeout that fired or was cancelled. */
    public void touch() {
        lastActivity = scheduler.nanoTime();
        if (timer == null) {
            timer = scheduler.callLater(Duration.ofNanos(timeoutNanos), this::check);
        }
    }

    /** Changes the timeout, counting from now. */
    public void setTimeout(Duration timeout) {
        timeoutNanos = positiveNanos(timeout);
        cancel();
        touch();
    }

    /** The time allowed without activity. */
    public Duration timeout() {
        return Duration.ofNanos(timeoutNanos);
    }

    /** Stops counting; {@link #touch()} starts again. */
    public void cancel() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }

    /** True while counting (started or touched, and neither fired nor cancelled). */
    public boolean isActive() {
        return timer != null;
    }

    private void check() {
        long idleFor = scheduler.nanoTime() - lastActivity;
        if (idleFor < timeoutNanos) {
            timer = scheduler.callLater(Duration.ofNanos(timeoutNanos - idleFor), this::check);
            return;
        }
        timer = null;
        onTimeout.run();
    }

    static long positiveNanos(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be greater than 0, got " + timeout);
        }
        return timeout.toNanos();
    }
}
