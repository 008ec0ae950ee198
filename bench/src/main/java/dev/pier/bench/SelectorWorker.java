package dev.pier.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;

/**
 * One selector loop of the load driver: owns its share of the connections, runs until the end of the measured
 * window and counts only operations that started after the warm-up and finished before the end.
 *
 * <p>The loop allocates nothing per operation: keys are handed to a consumer made once, buffers are made at setup,
 * and the histogram has fixed buckets.
 */
abstract class SelectorWorker implements Runnable {

    final Selector selector;
    final Histogram latency = Result.newHistogram();
    long operations;
    long errors;
    /** Operations completed over the whole run, warm-up included, and the bytes this loop allocated meanwhile. */
    long allCompleted;
    long allocatedBytes;
    private long measureFrom;
    private long measureUntil;
    private final Consumer<SelectionKey> onReady = this::ready;

    SelectorWorker() {
        try {
            selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    final void window(long from, long until) {
        measureFrom = from;
        measureUntil = until;
    }

    /** Starts the first operation on each of this worker's connections. */
    abstract void start() throws IOException;

    /** Handles one ready key. */
    abstract void ready(SelectionKey key);

    /** Called at least every {@link #selectMillis()} with the current time, for timeouts. */
    void tick(long now) {
    }

    long selectMillis() {
        return 50;
    }

    /** Closes this worker's connections. */
    abstract void closeAll();

    /** Counts an error, unless it happened during the warm-up, when servers may still be compiling. */
    final void failed(long now) {
        if (now >= measureFrom) {
            errors++;
        }
    }

    final void completed(long started, long finished) {
        allCompleted++;
        if (started >= measureFrom && finished <= measureUntil) {
            latency.recordValue(finished - started);
            operations++;
        }
    }

    @Override
    public final void run() {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try {
            start();
            long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
            for (long now = System.nanoTime(); now < measureUntil; now = System.nanoTime()) {
                tick(now);
                selector.select(onReady, selectMillis());
            }
            allocatedBytes = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;
        } catch (IOException e) {
            errors++;
        } finally {
            closeAll();
            try {
                selector.close();
            } catch (IOException ignored) {
                // Closing a selector only releases its descriptor; the run's figures are already taken.
            }
        }
    }
}
