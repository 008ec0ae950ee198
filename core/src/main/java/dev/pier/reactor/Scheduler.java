package dev.pier.reactor;

import java.time.Duration;

/**
 * Time and timers, as the event loop sees them (Twisted's {@code IReactorTime}). The reactor is one; a
 * {@code ManualClock} is another, whose time moves only when a test advances it, so timed behaviour is tested
 * without waiting.
 *
 * <pre>{@code
 * DelayedCall call = scheduler.callLater(Duration.ofSeconds(30), transport::loseConnection);
 * call.reset(Duration.ofSeconds(30));   // activity: push the timeout back
 * }</pre>
 */
public interface Scheduler {

    /** Monotonic time in nanoseconds, from an arbitrary origin. */
    long nanoTime();

    /** Runs {@code task} on the loop thread once {@code delay} has passed. */
    DelayedCall callLater(Duration delay, Runnable task);
}
