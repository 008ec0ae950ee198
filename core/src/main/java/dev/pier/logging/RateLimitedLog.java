package dev.pier.logging;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * A warning that a peer can make happen as often as it likes (an oversized datagram, a full send queue): logged at
 * most once per interval, the next line telling how many were left out. A flood of them can then neither fill the
 * log nor keep the serving thread busy logging. One instance per cause.
 */
public final class RateLimitedLog {

    /** The interval of the servers' own repeated warnings. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);

    private final Logger logger;
    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private boolean loggedBefore;       // guarded by this
    private long lastLoggedNanos;       // guarded by this
    private long suppressed;            // guarded by this

    private RateLimitedLog(Logger logger, Duration interval, LongSupplier nanoTime) {
        this.logger = Objects.requireNonNull(logger, "logger");
        this.intervalNanos = interval.toNanos();
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    }

    /** Logs to {@code logger} at most once per {@link #DEFAULT_INTERVAL}. */
    public static RateLimitedLog of(Logger logger) {
        return of(logger, DEFAULT_INTERVAL, System::nanoTime);
    }

    /** Logs to {@code logger} at most once per {@code interval} as measured by {@code nanoTime}. */
    public static RateLimitedLog of(Logger logger, Duration interval, LongSupplier nanoTime) {
        return new RateLimitedLog(logger, interval, nanoTime);
    }

    /**
     * Logs as {@link Logger#log(Level, String, Object...)} does, unless this log already wrote a line within the
     * interval: then the line is only counted, and the next line written ends with {@code (N more suppressed)}.
     */
    public void log(Level level, String format, Object... params) {
        if (!logger.isLoggable(level)) {
            return;
        }
        long left;
        synchronized (this) {
            long now = nanoTime.getAsLong();
            if (loggedBefore && now - lastLoggedNanos < intervalNanos) {
                suppressed++;
                return;
            }
            loggedBefore = true;
            lastLoggedNanos = now;
            left = suppressed;
            suppressed = 0;
        }
        logger.log(level, left == 0 ? format : format + " (" + left + " more suppressed)", params);
    }
}
