package dev.pier.reactor.internal;

import dev.pier.reactor.DelayedCall;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Timers ordered by deadline, then by when they were scheduled (or last moved): the one queue behind a reactor's
 * loop and {@code dev.pier.testing.ManualClock}, so both give {@link DelayedCall} the same meaning.
 *
 * <p>Pushing a deadline back (the common case: an idle timeout reset on every read) leaves the entry where it is
 * and re-queues it when it comes up, so a reset costs nothing; cancelled entries are purged in bulk once they are
 * half the queue. Not thread-safe: its owner calls it from one thread, and {@code ownerCheck} says so to others.
 *
 * <pre>{@code
 * TimerQueue queue = new TimerQueue(System::nanoTime, what -> {});
 * queue.add(queue.newTimer(Duration.ofSeconds(1), task));
 * for (Timer due; (due = queue.pollDue(System.nanoTime())) != null; ) {
 *     if (due.start()) due.task().run();
 * }
 * }</pre>
 */
public final class TimerQueue {

    /** The longest delay: longer ones mean "never" and are cut to this (about 73 years), so no deadline overflows. */
    public static final Duration NEVER = Duration.ofNanos(Long.MAX_VALUE / 4);

    private final LongSupplier clock;
    private final Consumer<String> ownerCheck;
    private final PriorityQueue<Timer> queue = new PriorityQueue<>(
            Comparator.comparingLong((Timer t) -> t.queuedAt).thenComparingLong(t -> t.queuedSequence));
    private long nextSequence;
    private int cancelledInQueue;

    /**
     * A queue reading time from {@code clock}; {@code ownerCheck} is given the operation's name before a timer is
     * cancelled or moved and throws if the calling thread may not.
     */
    public TimerQueue(LongSupplier clock, Consumer<String> ownerCheck) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.ownerCheck = Objects.requireNonNull(ownerCheck, "ownerCheck");
    }

    /**
     * A timer due {@code delay} from now, not queued yet: a timer made on another thread reaches the owner's thread
     * later, and may be cancelled before it does.
     *
     * @throws IllegalArgumentException if {@code delay} is negative
     */
    public Timer newTimer(Duration delay, Runnable task) {
        Objects.requireNonNull(task, "task");
        return new Timer(task, clock.getAsLong() + nanos(delay));
    }

    /** Queues a timer from {@link #newTimer}; one cancelled meanwhile stays out. */
    public void add(Timer timer) {
        if (timer.state != State.NEW) {
            return;
        }
        timer.state = State.QUEUED;
        timer.sequence = nextSequence++;
        requeue(timer);
    }

    /** Nanoseconds from {@code now} until the next timer is due (0 if due now), or -1 if there is none. */
    public long nanosUntilNext(long now) {
        Timer head = queue.peek();
        return head == null ? -1 : Math.max(0, head.queuedAt - now);
    }

    /**
     * Takes the next timer due at {@code now}, or returns null. The caller runs it if {@link Timer#start()} says so:
     * until then, a timer run before it may still cancel or move it.
     */
    public Timer pollDue(long now) {
        for (Timer head = queue.peek(); head != null && head.queuedAt <= now; head = queue.peek()) {
            queue.poll();
            if (head.state == State.CANCELLED) {
                cancelledInQueue--;
            } else if (head.queuedAt != head.deadline || head.queuedSequence != head.sequence) {
                requeue(head);   // pushed back since it was queued: take its place among the others now
            } else {
                head.state = State.DUE;
                return head;
            }
        }
        return null;
    }

    /** The timers still to run, earliest first. */
    public List<Timer> pending() {
        List<Timer> pending = new ArrayList<>();
        for (Timer timer : queue) {
            if (timer.state == State.QUEUED) {
                pending.add(timer);
            }
        }
        pending.sort(Comparator.comparingLong((Timer t) -> t.deadline).thenComparingLong(t -> t.sequence));
        return pending;
    }

    private void requeue(Timer timer) {
        timer.queuedAt = timer.deadline;
        timer.queuedSequence = timer.sequence;
        queue.add(timer);
    }

    private static long nanos(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative, got " + delay + ": time only moves forward");
        }
        return delay.compareTo(NEVER) > 0 ? NEVER.toNanos() : delay.toNanos();
    }

    private enum State { NEW, QUEUED, DUE, RAN, CANCELLED }

    /** One scheduled task: a {@link DelayedCall} until it has run or been cancelled. */
    public final class Timer implements DelayedCall {
        private final Runnable task;
        private long deadline;
        private long sequence;
        private long queuedAt;
        private long queuedSequence;
        private State state = State.NEW;

        private Timer(Runnable task, long deadline) {
            this.task = task;
            this.deadline = deadline;
        }

        /** What runs when the timer is due. */
        public Runnable task() {
            return task;
        }

        /** The clock time at which the timer is due. */
        public long deadline() {
            return deadline;
        }

        /** Marks a timer from {@link TimerQueue#pollDue} as run; false if it was cancelled or moved meanwhile. */
        public boolean start() {
            if (state != State.DUE) {
                return false;
            }
            state = State.RAN;
            return true;
        }

        /** True once the timer was started by its queue's owner. */
        public boolean hasRun() {
            return state == State.RAN;
        }

        @Override
        public void cancel() {
            ownerCheck.accept("DelayedCall.cancel");
            switch (state) {
                case QUEUED -> {
                    state = State.CANCELLED;
                    if (++cancelledInQueue > 64 && cancelledInQueue > queue.size() / 2) {
                        queue.removeIf(t -> t.state == State.CANCELLED);
                        cancelledInQueue = 0;
                    }
                }
                case NEW, DUE -> state = State.CANCELLED;
                case RAN, CANCELLED -> { }
            }
        }

        @Override
        public void reset(Duration delay) {
            moveTo(clock.getAsLong() + nanos(delay));
        }

        @Override
        public void delay(Duration extra) {
            // Delays add up; beyond "never" from now they stay "never", without wrapping around.
            moveTo(Math.min(deadline + nanos(extra), clock.getAsLong() + NEVER.toNanos()));
        }

        /** A moved timer runs after the others due at the same time, as if it had just been scheduled. */
        private void moveTo(long newDeadline) {
            ownerCheck.accept("DelayedCall.reset/delay");
            switch (state) {
                case RAN, CANCELLED -> throw new IllegalStateException("the call already "
                        + (state == State.RAN ? "ran" : "was cancelled") + "; schedule a new one with callLater");
                case NEW -> deadline = newDeadline;
                case DUE -> {
                    state = State.QUEUED;
                    deadline = newDeadline;
                    sequence = nextSequence++;
                    requeue(this);
                }
                case QUEUED -> {
                    sequence = nextSequence++;
                    if (newDeadline < queuedAt) {
                        queue.remove(this);
                        deadline = newDeadline;
                        requeue(this);
                    } else {
                        deadline = newDeadline;
                    }
                }
            }
        }

        @Override
        public boolean isActive() {
            return state != State.RAN && state != State.CANCELLED;
        }

        @Override
        public String toString() {
            return "timer " + task;
        }
    }
}
