package dev.pier.testing;

import dev.pier.reactor.DelayedCall;
import dev.pier.reactor.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;

/**
 * A {@link Scheduler} whose time moves only when told to (Twisted's {@code task.Clock}), so timeouts, paced writes
 * and {@link dev.pier.reactor.LoopingCall}s are tested without waiting. Time starts at zero.
 *
 * <p>{@link #advance} runs every call that falls due, in time order (calls due at the same instant run in the order
 * they were scheduled). While a call runs, {@link #nanoTime()} reads its due time, so a call scheduled by a call is
 * timed from there, and runs within the same {@code advance} if it falls due before its end.
 *
 * <pre>{@code
 * ManualClock clock = new ManualClock();
 * List<String> log = new ArrayList<>();
 * clock.callLater(Duration.ofSeconds(2), () -> log.add("two"));
 * clock.callLater(Duration.ofSeconds(1), () -> log.add("one"));
 * clock.advance(Duration.ofSeconds(2));   // log is [one, two]
 * }</pre>
 *
 * <p>Not thread-safe: use it from the test thread, as a reactor's loop thread would be used.
 */
public final class ManualClock implements Scheduler {

    private static final Duration CENTURY = Duration.ofDays(365 * 100);

    private final PriorityQueue<Call> calls =
            new PriorityQueue<>(Comparator.comparingLong(Call::dueNanos).thenComparingLong(call -> call.sequence));
    private long now;
    private long nextSequence;

    /** A clock at time zero with no pending calls. */
    public ManualClock() {}

    @Override
    public long nanoTime() {
        return now;
    }

    /** The time elapsed since this clock was created, as moved by {@link #advance}. */
    public Duration elapsed() {
        return Duration.ofNanos(now);
    }

    @Override
    public Call callLater(Duration delay, Runnable task) {
        Objects.requireNonNull(task, "task");
        Call call = new Call(now + nonNegativeNanos(delay), nextSequence++, task);
        calls.add(call);
        return call;
    }

    /**
     * Moves time forward by {@code amount}, running every call that falls due on the way, in time order. May be
     * called from inside a call (to simulate a task that takes time).
     *
     * @throws IllegalArgumentException if {@code amount} is negative
     */
    public void advance(Duration amount) {
        long target = now + nonNegativeNanos(amount);
        Call next;
        while ((next = calls.peek()) != null && next.dueNanos <= target) {
            calls.poll();
            now = Math.max(now, next.dueNanos);
            next.state = State.CALLED;
            next.task.run();
        }
        now = Math.max(now, target);
    }

    /** Advances by each amount in turn: {@code pump(d1, d2)} is {@code advance(d1); advance(d2)}. */
    public void pump(Duration... amounts) {
        for (Duration amount : amounts) {
            advance(amount);
        }
    }

    /** The calls still to run, earliest first. */
    public List<Call> pendingCalls() {
        List<Call> pending = new ArrayList<>(calls);
        pending.sort(calls.comparator());
        return pending;
    }

    private static long nonNegativeNanos(Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("negative duration " + duration + ": time only moves forward");
        }
        // as the reactor does: beyond a century is "never", without overflowing nanosecond arithmetic
        return duration.compareTo(CENTURY) > 0 ? CENTURY.toNanos() : duration.toNanos();
    }

    private enum State { PENDING, CALLED, CANCELLED }

    /**
     * A call scheduled on a {@link ManualClock}. {@link #reset} and {@link #delay} on a call that already ran or was
     * cancelled throw {@link IllegalStateException} (Twisted's {@code AlreadyCalled} / {@code AlreadyCancelled}).
     */
    public final class Call implements DelayedCall {
        private long dueNanos;
        private long sequence;
        private final Runnable task;
        private State state = State.PENDING;

        private Call(long dueNanos, long sequence, Runnable task) {
            this.dueNanos = dueNanos;
            this.sequence = sequence;
            this.task = task;
        }

        /** The clock time ({@link ManualClock#nanoTime()}) at which this call runs. */
        public long dueNanos() {
            return dueNanos;
        }

        /** How long from the clock's current time until this call runs. */
        public Duration dueIn() {
            return Duration.ofNanos(dueNanos - now);
        }

        @Override
        public void cancel() {
            if (state == State.PENDING) {
                state = State.CANCELLED;
                calls.remove(this);
            }
        }

        @Override
        public void reset(Duration delay) {
            reschedule(now + nonNegativeNanos(delay));
        }

        @Override
        public void delay(Duration extra) {
            reschedule(dueNanos + nonNegativeNanos(extra));
        }

        private void reschedule(long newDueNanos) {
            switch (state) {
                case CALLED -> throw new IllegalStateException("the call already ran; schedule a new one");
                case CANCELLED -> throw new IllegalStateException("the call was cancelled; schedule a new one");
                case PENDING -> {
                    calls.remove(this);
                    dueNanos = newDueNanos;
                    sequence = nextSequence++;
                    calls.add(this);
                }
            }
        }

        @Override
        public boolean isActive() {
            return state == State.PENDING;
        }

        @Override
        public String toString() {
            return "Call[" + state.name().toLowerCase(java.util.Locale.ROOT) + ", due at " + Duration.ofNanos(dueNanos)
                    + ", " + task + "]";
        }
    }
}
