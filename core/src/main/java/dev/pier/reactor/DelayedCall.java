package dev.pier.reactor;

import java.time.Duration;

/** A call scheduled by {@link Scheduler#callLater}: it can be cancelled or moved until it has run. */
public interface DelayedCall {

    /** Prevents the call from running; does nothing if it already ran or was cancelled. */
    void cancel();

    /** Reschedules the call to run {@code delay} from now. */
    void reset(Duration delay);

    /** Postpones the call by {@code extra}. */
    void delay(Duration extra);

    /** True until the call has run or been cancelled. */
    boolean isActive();
}
