package dev.pier.testing;

import dev.pier.reactor.DelayedCall;
import dev.pier.reactor.Scheduler;
import dev.pier.reactor.internal.TimerQueue;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A {@link Scheduler} whose time moves only when told to (Twisted's {@code task.Clock}), so timeouts, paced writes
 * and {@link dev.pier.reactor.LoopingCall}s are tested without waiting. Time starts at zero.
 *
 * <p>{@link #advance} runs every call that falls due, in time order (calls due at the same instant run in the order
 * they were scheduled or last moved). While a call runs, {@link #nanoTime()} reads its due time, so a call scheduled
 * by a call is timed from there, and runs within the same {@code advance} if it falls due before its end.
 *
 * <pre>{@code
 * ManualClock clock = new ManualClock();
 * List<String> log = new ArrayList<>();
 * clock.callLater(Duration.ofSeconds(2), () -> log.add("two"));
 * clock.callLater(Duration.ofSeconds(1), () -> log.add("one"));
 * clock.advance(Duration.ofSeconds(2));   // log is [one, two]
 * }</pre>
 *
 * <p>Calls are ordered, reset and cancelled exactly as the reactor's timers are: both use one timer queue. Not
 * thread-safe: use it from the test thread, as a reactor's loop thread would be used.
 */
public final class ManualClock implements Scheduler {

    private final TimerQueue calls = new TimerQueue(this::nanoTime, what -> {});
    private volatile long now;   // volatile: a test may make this a reactor's clock (withNanoTime(clock::nanoTime))

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
        Call call = new Call(task);
        call.timer = calls.newTimer(delay, new Scheduled(call));
        calls.add(call.timer);
        return call;
    }

    /**
     * Moves time forward by {@code amount}, running every call that falls due on the way, in time order. May be
     * called from inside a call (to simulate a task that takes time).
     *
     * @throws IllegalArgumentException if {@code amount} is negative
     */
    public void advance(Duration amount) {
        if (amount.isNegative()) {
            throw new IllegalArgumentException("negative duration " + amount + ": time only moves forward");
        }
        long target = now + Math.min(amount.toNanos(), TimerQueue.NEVER.toNanos());
        for (TimerQueue.Timer due; (due = calls.pollDue(target)) != null; ) {
            now = Math.max(now, due.deadline());
            if (due.start()) {
                due.task().run();
            }
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
        return calls.pending().stream().map(timer -> ((Scheduled) timer.task()).call()).toList();
    }

    /** The queue's task for a call: what it runs, and which call it is for {@link #pendingCalls()}. */
    private record Scheduled(Call call) implements Runnable {
        @Override
        public void run() {
            call.task.run();
        }
    }

    /**
     * A call scheduled on a {@link ManualClock}. {@link #reset} and {@link #delay} on a call that already ran or was
     * cancelled throw {@link IllegalStateException} (Twisted's {@code AlreadyCalled} / {@code AlreadyCancelled}).
     */
    public final class Call implements DelayedCall {
        private final Runnable task;
        private TimerQueue.Timer timer;

        private Call(Runnable task) {
            this.task = Objects.requireNonNull(task, "task");
        }

        /** The clock time ({@link ManualClock#nanoTime()}) at which this call runs. */
        public long dueNanos() {
            return timer.deadline();
        }

        /** How long from the clock's current time until this call runs. */
        public Duration dueIn() {
            return Duration.ofNanos(timer.deadline() - now);
        }

        @Override
        public void cancel() {
            timer.cancel();
        }

        @Override
        public void reset(Duration delay) {
            timer.reset(delay);
        }

        @Override
        public void delay(Duration extra) {
            timer.delay(extra);
        }

        @Override
        public boolean isActive() {
            return timer.isActive();
        }

        @Override
        public String toString() {
            String state = timer.isActive() ? "pending" : timer.hasRun() ? "called" : "cancelled";
            return "Call[" + state + ", due at " + Duration.ofNanos(timer.deadline()) + ", " + task + "]";
        }
    }
}
