package dev.pier.reactor;

import java.lang.System.Logger;
import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * A reactor's settings. Start from {@link #defaults()} and change what you need:
 * {@code ReactorOptions.defaults().withSlowCallbackThreshold(Duration.ofMillis(100))}.
 *
 * @param nanoTime              the loop's clock (default {@link System#nanoTime}); tests pass a manual one. The
 *                              loop reads it for timers and the slow-callback check, and re-reads it on every
 *                              wakeup ({@link Reactor#callFromThread} wakes it).
 * @param logger                where the loop reports (default {@code System.getLogger("dev.pier.reactor")})
 * @param slowCallbackThreshold a callback holding the loop longer than this is logged (default 1 s)
 * @param lowWaterMark          a paused streaming producer is resumed when its transport drained to this many
 *                              unsent bytes (default 16 KiB)...
 * @param highWaterMark         ...and paused when the transport holds more than this many (default 64 KiB)
 * @param maxBufferedBytes      a connection whose unsent bytes pass this limit is aborted and the event logged:
 *                              a peer that never reads cannot make memory grow without bound (default 16 MiB).
 *                              A single larger write counts too: send big data through a {@link Producer}, or
 *                              raise the limit. Also the limit of a datagram port's send queue.
 * @param readBufferSize        the loop's one read buffer, the most a single {@code dataReceived} gets (64 KiB)
 * @param maxDatagramSize       longer datagrams are dropped and logged, never cut short (default 65507, the
 *                              largest UDP payload over IPv4)
 * @param acceptRetryDelay      after accept fails (e.g. "Too many open files") the port pauses accepting this
 *                              long before it tries again (default 100 ms)
 * @param tcpNoDelay            TCP_NODELAY for new TCP connections (default true: small writes leave at once)
 */
public record ReactorOptions(LongSupplier nanoTime, Logger logger, Duration slowCallbackThreshold,
                             int lowWaterMark, int highWaterMark, long maxBufferedBytes, int readBufferSize,
                             int maxDatagramSize, Duration acceptRetryDelay, boolean tcpNoDelay) {

    /** Checks that the values make sense together. */
    public ReactorOptions {
        Objects.requireNonNull(nanoTime, "nanoTime");
        Objects.requireNonNull(logger, "logger");
        Objects.requireNonNull(slowCallbackThreshold, "slowCallbackThreshold");
        Objects.requireNonNull(acceptRetryDelay, "acceptRetryDelay");
        if (lowWaterMark < 0 || highWaterMark < lowWaterMark) {
            throw new IllegalArgumentException("need 0 <= lowWaterMark <= highWaterMark, got low "
                    + lowWaterMark + ", high " + highWaterMark);
        }
        if (maxBufferedBytes < highWaterMark) {
            throw new IllegalArgumentException("maxBufferedBytes (" + maxBufferedBytes
                    + ") must be at least highWaterMark (" + highWaterMark + ")");
        }
        if (readBufferSize < 1 || maxDatagramSize < 1 || maxDatagramSize > 65535) {
            throw new IllegalArgumentException("readBufferSize must be positive and maxDatagramSize within "
                    + "1..65535, got " + readBufferSize + " and " + maxDatagramSize);
        }
    }

    /** The defaults listed above. */
    public static ReactorOptions defaults() {
        return new ReactorOptions(System::nanoTime, System.getLogger("dev.pier.reactor"), Duration.ofSeconds(1),
                16 * 1024, 64 * 1024, 16L * 1024 * 1024, 64 * 1024, 65507, Duration.ofMillis(100), true);
    }

    /** These options with another clock, e.g. a manual one in tests. */
    public ReactorOptions withNanoTime(LongSupplier clock) {
        return new ReactorOptions(clock, logger, slowCallbackThreshold, lowWaterMark, highWaterMark, maxBufferedBytes,
                readBufferSize, maxDatagramSize, acceptRetryDelay, tcpNoDelay);
    }

    /** These options reporting to {@code newLogger}. */
    public ReactorOptions withLogger(Logger newLogger) {
        return new ReactorOptions(nanoTime, newLogger, slowCallbackThreshold, lowWaterMark, highWaterMark,
                maxBufferedBytes, readBufferSize, maxDatagramSize, acceptRetryDelay, tcpNoDelay);
    }

    /** These options warning about callbacks that hold the loop longer than {@code threshold}. */
    public ReactorOptions withSlowCallbackThreshold(Duration threshold) {
        return new ReactorOptions(nanoTime, logger, threshold, lowWaterMark, highWaterMark, maxBufferedBytes,
                readBufferSize, maxDatagramSize, acceptRetryDelay, tcpNoDelay);
    }

    /** These options resuming producers at {@code low} unsent bytes and pausing them above {@code high}. */
    public ReactorOptions withWaterMarks(int low, int high) {
        return new ReactorOptions(nanoTime, logger, slowCallbackThreshold, low, high, maxBufferedBytes,
                readBufferSize, maxDatagramSize, acceptRetryDelay, tcpNoDelay);
    }

    /** These options aborting a connection with more than {@code max} unsent bytes. */
    public ReactorOptions withMaxBufferedBytes(long max) {
        return new ReactorOptions(nanoTime, logger, slowCallbackThreshold, lowWaterMark, highWaterMark, max,
                readBufferSize, maxDatagramSize, acceptRetryDelay, tcpNoDelay);
    }

    /** These options with a read buffer of {@code size} bytes. */
    public ReactorOptions withReadBufferSize(int size) {
        return new ReactorOptions(nanoTime, logger, slowCallbackThreshold, lowWaterMark, highWaterMark,
                maxBufferedBytes, size, maxDatagramSize, acceptRetryDelay, tcpNoDelay);
    }

    /** These options dropping datagrams longer than {@code max} bytes. */
    public ReactorOptions withMaxDatagramSize(int max) {
        return new ReactorOptions(nanoTime, logger, slowCallbackThreshold, lowWaterMark, highWaterMark,
                maxBufferedBytes, readBufferSize, max, acceptRetryDelay, tcpNoDelay);
    }

    /** These options retrying a failed accept after {@code delay}. */
    public ReactorOptions withAcceptRetryDelay(Duration delay) {
        return new ReactorOptions(nanoTime, logger, slowCallbackThreshold, lowWaterMark, highWaterMark,
                maxBufferedBytes, readBufferSize, maxDatagramSize, delay, tcpNoDelay);
    }

    /** These options setting TCP_NODELAY to {@code noDelay} on new TCP connections. */
    public ReactorOptions withTcpNoDelay(boolean noDelay) {
        return new ReactorOptions(nanoTime, logger, slowCallbackThreshold, lowWaterMark, highWaterMark,
                maxBufferedBytes, readBufferSize, maxDatagramSize, acceptRetryDelay, noDelay);
    }
}
