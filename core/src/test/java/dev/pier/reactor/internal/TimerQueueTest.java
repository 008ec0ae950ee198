package dev.pier.reactor.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The one timer queue: order, cheap push-back, moves and cancels during a pass, the bulk purge, the cap. */
@Timeout(10)
class TimerQueueTest {

    private long now;
    private final TimerQueue queue = new TimerQueue(() -> now, what -> {});
    private final List<String> ran = new ArrayList<>();

    private TimerQueue.Timer schedule(long delayNanos, String name) {
        TimerQueue.Timer timer = queue.newTimer(Duration.ofNanos(delayNanos), () -> ran.add(name));
        queue.add(timer);
        return timer;
    }

    /** Runs what is due at {@code at} as the loop does: take the whole pass first, then run what is still due. */
    private void runPass(long at) {
        now = at;
        List<TimerQueue.Timer> due = new ArrayList<>();
        for (TimerQueue.Timer timer; (timer = queue.pollDue(at)) != null; ) {
            due.add(timer);
        }
        for (TimerQueue.Timer timer : due) {
            if (timer.start()) {
                timer.task().run();
            }
        }
    }

    @Test
    void aPushedBackTimerRunsAfterTheOnesAlreadyDueThen() {
        TimerQueue.Timer pushed = schedule(10, "pushed");
        schedule(20, "waiting");
        pushed.reset(Duration.ofNanos(20));   // stays queued at 10, re-queued when it comes up
        assertEquals(0, queue.nanosUntilNext(10), "the old place still wakes the loop");
        runPass(10);
        assertEquals(List.of(), ran);
        runPass(20);
        assertEquals(List.of("waiting", "pushed"), ran);
        assertEquals(-1, queue.nanosUntilNext(20));
    }

    @Test
    void aTimerPulledForwardMovesAtOnce() {
        TimerQueue.Timer pulled = schedule(100, "pulled");
        pulled.delay(Duration.ZERO);
        pulled.reset(Duration.ofNanos(5));
        assertEquals(5, queue.nanosUntilNext(0));
        runPass(5);
        assertEquals(List.of("pulled"), ran);
        assertFalse(pulled.isActive());
        assertThrows(IllegalStateException.class, () -> pulled.reset(Duration.ofNanos(1)));
    }

    @Test
    void aTimerCancelledOrMovedByAnEarlierOneInTheSamePassDoesNotRun() {
        TimerQueue.Timer[] later = new TimerQueue.Timer[2];
        queue.add(queue.newTimer(Duration.ofNanos(1), () -> {
            later[0].cancel();
            later[1].delay(Duration.ofNanos(10));
        }));
        later[0] = schedule(1, "cancelled");
        later[1] = schedule(1, "moved");
        runPass(1);
        assertEquals(List.of(), ran);
        assertTrue(later[1].isActive());
        runPass(11);
        assertEquals(List.of("moved"), ran);
    }

    @Test
    void aTimerCancelledBeforeItIsQueuedNeverRuns() {
        TimerQueue.Timer early = queue.newTimer(Duration.ZERO, () -> ran.add("early"));
        early.cancel();
        queue.add(early);
        runPass(0);
        assertEquals(List.of(), ran);
        assertEquals(List.of(), queue.pending());
    }

    @Test
    void cancelledTimersArePurgedInBulkAndNeverListed() {
        List<TimerQueue.Timer> timers = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            timers.add(schedule(1_000 + i, "t" + i));
        }
        for (int i = 0; i < 199; i++) {
            timers.get(i).cancel();
        }
        assertEquals(List.of(timers.get(199)), queue.pending());
        runPass(10_000);
        assertEquals(List.of("t199"), ran);
    }

    @Test
    void delaysBeyondTheCapMeanNeverAndNegativeOnesAreRefused() {
        TimerQueue.Timer never = schedule(Long.MAX_VALUE, "never");
        assertEquals(TimerQueue.NEVER.toNanos(), never.deadline());
        never.delay(Duration.ofSeconds(Long.MAX_VALUE));
        assertTrue(never.deadline() > 0, "no overflow");
        assertThrows(IllegalArgumentException.class, () -> queue.newTimer(Duration.ofNanos(-1), () -> {}));
    }

    @Test
    void delaysBeyondNeverAddUpToNeverWithoutWrappingAround() {
        TimerQueue.Timer timer = schedule(1_000, "never");
        for (int i = 0; i < 4; i++) {
            timer.delay(Duration.ofSeconds(Long.MAX_VALUE));
        }
        runPass(Duration.ofDays(365).toNanos());
        assertEquals(List.of(), ran);
        assertTrue(timer.isActive());
    }
}
