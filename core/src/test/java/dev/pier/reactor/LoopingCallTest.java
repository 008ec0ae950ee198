package dev.pier.reactor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pier.testing.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class LoopingCallTest {

    private final ManualClock clock = new ManualClock();
    private final List<Long> runs = new ArrayList<>();

    private static Duration s(long seconds) {
        return Duration.ofSeconds(seconds);
    }

    private void record() {
        runs.add(clock.elapsed().toSeconds());
    }

    @Test
    void startNowRunsAtOnceThenEveryInterval() {
        LoopingCall loop = LoopingCall.every(clock, s(1), this::record);
        loop.start(true);
        assertEquals(List.of(0L), runs);
        clock.pump(s(1), s(1), s(1));
        assertEquals(List.of(0L, 1L, 2L, 3L), runs);
        assertTrue(loop.isRunning());
    }

    @Test
    void startLaterWaitsOneInterval() {
        LoopingCall.every(clock, s(2), this::record).start(false);
        assertEquals(List.of(), runs);
        clock.advance(s(1));
        assertEquals(List.of(), runs);
        clock.advance(s(1));
        assertEquals(List.of(2L), runs);
    }

    @Test
    void stopCompletesTheFutureAndNoMoreRunsHappen() {
        LoopingCall loop = LoopingCall.every(clock, s(1), this::record);
        CompletableFuture<Void> done = loop.start(true);
        clock.advance(s(1));
        loop.stop();
        assertTrue(done.isDone());
        assertFalse(done.isCompletedExceptionally());
        assertFalse(loop.isRunning());
        clock.advance(s(10));
        assertEquals(List.of(0L, 1L), runs);
        assertEquals(List.of(), clock.pendingCalls());
        loop.stop(); // stopping a stopped loop is harmless
    }

    @Test
    void aTaskMayStopItsOwnLoop() {
        LoopingCall[] loop = new LoopingCall[1];
        loop[0] = LoopingCall.every(clock, s(1), () -> {
            record();
            if (runs.size() == 3) {
                loop[0].stop();
            }
        });
        CompletableFuture<Void> done = loop[0].start(true);
        clock.advance(s(10));
        assertEquals(List.of(0L, 1L, 2L), runs);
        assertTrue(done.isDone());
    }

    @Test
    void anExceptionEndsTheLoopAndFailsTheFuture() {
        IllegalStateException boom = new IllegalStateException("boom");
        LoopingCall loop = LoopingCall.every(clock, s(1), () -> {
            record();
            if (runs.size() == 2) {
                throw boom;
            }
        });
        CompletableFuture<Void> done = loop.start(true);
        clock.advance(s(5));
        assertEquals(List.of(0L, 1L), runs);
        assertFalse(loop.isRunning());
        ExecutionException failure = assertThrows(ExecutionException.class, done::get);
        assertSame(boom, failure.getCause());
        assertEquals(List.of(), clock.pendingCalls());
    }

    @Test
    void anExceptionOnTheFirstImmediateRunFailsAtOnce() {
        LoopingCall loop = LoopingCall.every(clock, s(1), () -> {
            throw new IllegalArgumentException("bad");
        });
        CompletableFuture<Void> done = loop.start(true);
        assertTrue(done.isCompletedExceptionally());
        assertFalse(loop.isRunning());
    }

    @Test
    void missedIntervalsAreSkippedAndCounted() {
        List<Long> counts = new ArrayList<>();
        LoopingCall loop = LoopingCall.withCount(clock, s(1), count -> {
            counts.add(count);
            record();
            if (runs.size() == 2) {
                clock.advance(Duration.ofMillis(3500)); // this run is slow: the runs at 2, 3 and 4 s are missed
            }
        });
        loop.start(true);
        clock.advance(s(1));
        assertEquals(List.of(0L, 1L), runs);
        clock.advance(Duration.ofMillis(500)); // now 5.0 s: the next run is due at 5 s, aligned to the start
        assertEquals(List.of(0L, 1L, 5L), runs);
        assertEquals(List.of(1L, 1L, 4L), counts);
        clock.advance(s(1));
        assertEquals(List.of(1L, 1L, 4L, 1L), counts);
    }

    @Test
    void runsStayAlignedToTheStartTime() {
        clock.advance(Duration.ofMillis(300));
        LoopingCall.every(clock, s(1), () -> runs.add(clock.elapsed().toMillis())).start(false);
        clock.advance(s(3));
        assertEquals(List.of(1300L, 2300L, 3300L), runs);
    }

    @Test
    void startingARunningLoopFailsAndAStoppedLoopCanRestart() {
        LoopingCall loop = LoopingCall.every(clock, s(1), this::record);
        loop.start(false);
        assertThrows(IllegalStateException.class, () -> loop.start(false));
        loop.stop();
        CompletableFuture<Void> second = loop.start(true);
        assertFalse(second.isDone());
        assertEquals(List.of(0L), runs);
    }

    @Test
    void negativeIntervalIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> LoopingCall.every(clock, s(-1), () -> {}));
    }
}
