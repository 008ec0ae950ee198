package dev.pier.reactor.internal;

import dev.pier.reactor.DelayedCall;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;

/**
 * The loop's timers: a priority queue ordered by deadline. Pushing a deadline back (the common case: an idle
 * timeout reset on every read) leaves the entry where it is and re-queues it when it comes up, so a reset costs
 * nothing; cancelled entries are purged in bulk once they are half the queue.
 */
final class Timers {

    private final EventLoop loop;
    private final PriorityQueue<Timer> queue =
            new PriorityQueue<>(Comparator.comparingLong((Timer t) -> t.queuedAt).thenComparingLong(t -> t.sequence));
    private long nextSequence;
    private int cancelledInQueue;

    Timers(EventLoop loop) {
        this.loop = loop;
    }

    DelayedCall schedule(Duration delay, Runnable task) {
        Objects.requireNonNull(task, "task");
        Timer timer = new Timer(task, loop.nanoTime() + nanos(delay));
        if (loop.inLoop()) {
            add(timer);
        } else {
            loop.execute(() -> add(timer));
        }
        return timer;
    }

    /** Nanoseconds until the next timer is due (0 if due now), or -1 if there is none. */
    long nanosUntilNext(long now) {
        Timer head = queue.peek();
        return head == null ? -1 : Math.max(0, head.queuedAt - now);
    }

    /** Runs the timers due at {@code now}; timers they schedule run on a later pass. */
    void runDue(long now) {
        List<Timer> due = new ArrayList<>();
        for (Timer head = queue.peek(); head != null && head.queuedAt <= now; head = queue.peek()) {
            queue.poll();
            if (head.state == State.CANCELLED) {
                cancelledInQueue--;
            } else if (head.deadline > now) {
                head.queuedAt = head.deadline;
                queue.add(head);
            } else {
                due.add(head);
            }
        }
        for (Timer timer : due) {
            if (timer.state == State.SCHEDULED) {
                timer.state = State.RAN;
                loop.dispatch(timer.task, timer);
            }
        }
    }

    private void add(Timer timer) {
        if (timer.state != State.PENDING) {
            return;   // cancelled before it reached the loop
        }
        timer.state = State.SCHEDULED;
        timer.sequence = nextSequence++;
        timer.queuedAt = timer.deadline;
        queue.add(timer);
    }

    private static long nanos(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative, got " + delay);
        }
        return delay.compareTo(Duration.ofDays(365 * 100)) > 0 ? Long.MAX_VALUE / 4 : delay.toNanos();
    }

    private enum State { PENDING, SCHEDULED, RAN, CANCELLED }

    private final class Timer implements DelayedCall {
        final Runnable task;
        long deadline;
        long queuedAt;
        long sequence;
        State state = State.PENDING;

        Timer(Runnable task, long deadline) {
            this.task = task;
            this.deadline = deadline;
        }

        @Override
        public void cancel() {
            loop.checkInLoop("DelayedCall.cancel");
            if (state == State.SCHEDULED) {
                state = State.CANCELLED;
                if (++cancelledInQueue > 64 && cancelledInQueue > queue.size() / 2) {
                    queue.removeIf(t -> t.state == State.CANCELLED);
                    cancelledInQueue = 0;
                }
            } else if (state == State.PENDING) {
                state = State.CANCELLED;
            }
        }

        @Override
        public void reset(Duration delay) {
            moveTo(loop.nanoTime() + nanos(delay));
        }

        @Override
        public void delay(Duration extra) {
            moveTo(deadline + nanos(extra));
        }

        private void moveTo(long newDeadline) {
            loop.checkInLoop("DelayedCall.reset/delay");
            if (state == State.RAN || state == State.CANCELLED) {
                throw new IllegalStateException("the call already " + (state == State.RAN ? "ran" : "was cancelled")
                        + "; schedule a new one with callLater");
            }
            if (state == State.SCHEDULED && newDeadline < queuedAt) {
                queue.remove(this);
                deadline = newDeadline;
                queuedAt = newDeadline;
                queue.add(this);
            } else {
                deadline = newDeadline;
            }
        }

        @Override
        public boolean isActive() {
            return state == State.PENDING || state == State.SCHEDULED;
        }

        @Override
        public String toString() {
            return "timer " + task;
        }
    }
}
