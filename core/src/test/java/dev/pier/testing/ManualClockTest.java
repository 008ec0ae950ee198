package dev.pier.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pier.reactor.DelayedCall;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ManualClockTest {

    private final ManualClock clock = new ManualClock();
    private final List<String> log = new ArrayList<>();

    private static Duration ms(long millis) {
        return Duration.ofMillis(millis);
    }

    @Test
    void runsDueCallsInTimeOrderAndSameTimeInSchedulingOrder() {
        clock.callLater(ms(300), () -> log.add("c"));
        clock.callLater(ms(100), () -> log.add("a1"));
        clock.callLater(ms(100), () -> log.add("a2"));
        clock.callLater(ms(200), () -> log.add("b"));
        clock.callLater(ms(400), () -> log.add("late"));

        clock.advance(ms(300));

        assertEquals(List.of("a1", "a2", "b", "c"), log);
        assertEquals(ms(300), clock.elapsed());
        assertEquals(1, clock.pendingCalls().size());
    }

    @Test
    void nothingRunsBeforeItsTime() {
        clock.callLater(ms(100), () -> log.add("x"));
        clock.advance(ms(99));
        assertEquals(List.of(), log);
        clock.advance(ms(1));
        assertEquals(List.of("x"), log);
    }

    @Test
    void callsScheduledByCallsRunWithinTheSameAdvanceTimedFromTheirParent() {
        List<Long> times = new ArrayList<>();
        clock.callLater(ms(100), () -> {
            times.add(clock.nanoTime());
            clock.callLater(ms(100), () -> {
                times.add(clock.nanoTime());
                clock.callLater(ms(100), () -> times.add(clock.nanoTime()));
            });
        });

        clock.advance(ms(250));

        assertEquals(List.of(ms(100).toNanos(), ms(200).toNanos()), times);
        clock.advance(ms(50));
        assertEquals(List.of(ms(100).toNanos(), ms(200).toNanos(), ms(300).toNanos()), times);
    }

    @Test
    void zeroDelayRunsOnTheNextAdvance() {
        clock.callLater(Duration.ZERO, () -> log.add("now"));
        assertEquals(List.of(), log);
        clock.advance(Duration.ZERO);
        assertEquals(List.of("now"), log);
    }

    @Test
    void cancelledCallNeverRunsAndCancelTwiceIsHarmless() {
        DelayedCall call = clock.callLater(ms(10), () -> log.add("x"));
        call.cancel();
        call.cancel();
        assertFalse(call.isActive());
        clock.advance(ms(20));
        assertEquals(List.of(), log);
        assertEquals(List.of(), clock.pendingCalls());
    }

    @Test
    void resetMovesTheCallRelativeToNow() {
        DelayedCall call = clock.callLater(ms(100), () -> log.add("x"));
        clock.advance(ms(80));
        call.reset(ms(100));
        clock.advance(ms(99));
        assertEquals(List.of(), log);
        clock.advance(ms(1));
        assertEquals(List.of("x"), log);
        assertFalse(call.isActive());
    }

    @Test
    void delayPostponesTheCall() {
        ManualClock.Call call = clock.callLater(ms(100), () -> log.add("x"));
        call.delay(ms(50));
        assertEquals(ms(150), call.dueIn());
        clock.advance(ms(149));
        assertEquals(List.of(), log);
        clock.advance(ms(1));
        assertEquals(List.of("x"), log);
    }

    @Test
    void resetOrDelayOfACalledOrCancelledCallFails() {
        DelayedCall called = clock.callLater(ms(1), () -> {});
        clock.advance(ms(1));
        DelayedCall cancelled = clock.callLater(ms(1), () -> {});
        cancelled.cancel();

        assertTrue(assertThrows(IllegalStateException.class, () -> called.reset(ms(1))).getMessage()
                .contains("already ran"));
        assertThrows(IllegalStateException.class, () -> called.delay(ms(1)));
        assertTrue(assertThrows(IllegalStateException.class, () -> cancelled.reset(ms(1))).getMessage()
                .contains("cancelled"));
        assertThrows(IllegalStateException.class, () -> cancelled.delay(ms(1)));
    }

    @Test
    void pendingCallsAreEarliestFirst() {
        clock.callLater(ms(30), () -> {});
        clock.callLater(ms(10), () -> {});
        clock.callLater(ms(20), () -> {});
        assertEquals(List.of(ms(10), ms(20), ms(30)),
                clock.pendingCalls().stream().map(ManualClock.Call::dueIn).toList());
    }

    @Test
    void pumpAdvancesStepByStep() {
        List<Long> seen = new ArrayList<>();
        clock.callLater(ms(150), () -> seen.add(clock.nanoTime()));
        clock.pump(ms(100), ms(100), ms(100));
        assertEquals(List.of(ms(150).toNanos()), seen);
        assertEquals(ms(300), clock.elapsed());
    }

    @Test
    void negativeDurationsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> clock.advance(ms(-1)));
        assertThrows(IllegalArgumentException.class, () -> clock.callLater(ms(-1), () -> {}));
    }

    @Test
    void hugeDelaysMeanNeverWithoutOverflowing() {
        clock.callLater(Duration.ofSeconds(Long.MAX_VALUE), () -> log.add("never"));
        clock.advance(Duration.ofDays(365));
        assertEquals(List.of(), log);
        assertEquals(1, clock.pendingCalls().size());
    }

    @Test
    void aCallThatAdvancesTheClockSimulatesSlowWork() {
        clock.callLater(ms(10), () -> clock.advance(ms(100)));
        clock.callLater(ms(50), () -> log.add("during"));
        clock.advance(ms(20));
        assertEquals(List.of("during"), log);
        assertEquals(ms(110), clock.elapsed());
    }
}
