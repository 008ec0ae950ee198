package dev.pier.app.poetry;

import java.time.Duration;

/**
 * How fast a poetry server sends its poem: all at once, or a few bytes at a time on a timer (the tutorial's slow
 * server, which makes concurrency visible).
 */
public sealed interface Pace {

    /** Writes the whole poem at once and closes when it has drained. */
    record Fast() implements Pace {}

    /** Sends {@code chunkBytes} bytes every {@code delay}, the first chunk as soon as the client connects. */
    record Slow(int chunkBytes, Duration delay) implements Pace {
        /** The tutorial's slow server: 10 bytes every 0.7 seconds. */
        public static final Duration DEFAULT_DELAY = Duration.ofMillis(700);
        public static final int DEFAULT_CHUNK_BYTES = 10;

        public Slow {
            if (chunkBytes < 1) {
                throw new IllegalArgumentException("chunk size must be at least 1 byte, got " + chunkBytes);
            }
            if (delay.isNegative()) {
                throw new IllegalArgumentException("delay must not be negative, got " + delay);
            }
        }
    }

    Pace FAST = new Fast();

    /** A slow pace, with the tutorial's defaults for what is {@code null}. */
    static Pace slow(Integer chunkBytes, Duration delay) {
        return new Slow(chunkBytes == null ? Slow.DEFAULT_CHUNK_BYTES : chunkBytes,
                delay == null ? Slow.DEFAULT_DELAY : delay);
    }
}
