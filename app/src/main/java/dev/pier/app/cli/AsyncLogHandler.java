package dev.pier.app.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.Charset;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * A log handler that never makes the logging thread wait for the output: records go into a bounded queue, and one
 * writer thread formats and writes them. When nobody reads the output (a full pipe) or it cannot keep up, the queue
 * fills and further records are dropped and counted; once the output moves again, a warning says how many were
 * lost. So a serving thread, the event loop above all, never stops for a stuck stderr.
 */
final class AsyncLogHandler extends Handler {

    /**
     * Where the lines go; {@code name} is how the user knows it, e.g. the log file's path. {@code reopen} opens the
     * output again by its name, for a log file that was rotated away; null for an output that cannot be (stderr).
     */
    record Output(String name, OutputStream stream, Charset charset, Opener reopen) {

        Output(String name, OutputStream stream, Charset charset) {
            this(name, stream, charset, null);
        }

        void write(String text) throws IOException {
            stream.write(text.getBytes(charset));
            stream.flush();
        }
    }

    /** Opens a log output again. */
    interface Opener {
        Output open() throws IOException;
    }

    /** How many records may wait for the writer: about a second of a busy server's log. */
    static final int DEFAULT_CAPACITY = 4096;

    /** How long {@link #flush()} and {@link #close()} wait for the writer to catch up. */
    static final Duration DRAIN_WAIT = Duration.ofSeconds(2);

    private static final int MAX_BATCH = 256;

    /** How long the writer lets lines gather after a write: a line's greatest delay beyond the writing itself. */
    private static final Duration GATHERING_TIME = Duration.ofMillis(2);

    /** Parameter types whose value cannot change between logging and formatting; others are captured as text. */
    private static final Set<Class<?>> VALUES = Set.of(String.class, Boolean.class, Character.class, Byte.class,
            Short.class, Integer.class, Long.class, Float.class, Double.class, BigInteger.class, BigDecimal.class);

    /** What the queue holds: a record to write, or a mark the writer signals once everything before it is out. */
    private sealed interface Entry {
        record Line(LogRecord record) implements Entry {}

        record Mark(CountDownLatch reached) implements Entry {}

        /** Wakes the writer to reopen the output; the request itself is {@code reopenWanted}, which never drops. */
        record Reopen() implements Entry {}
    }

    private Output output;    // replaced by the writer thread alone, when it reopens the output
    private final Consumer<String> complaints;
    private final BlockingQueue<Entry> queue;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong droppedEver = new AtomicLong();
    private final Thread writer;
    private volatile boolean closed;
    /** Set when a drain timed out, cleared by the next write that gets through: close() then does not wait again. */
    private volatile boolean stuck;
    private volatile boolean reopenWanted;
    private volatile boolean waitForEachLine;
    private boolean failing;    // writer thread only

    private AsyncLogHandler(Output output, Formatter formatter, int capacity, Consumer<String> complaints) {
        this.output = output;
        this.complaints = complaints;
        this.queue = new ArrayBlockingQueue<>(capacity);
        setFormatter(formatter);
        setLevel(Level.ALL);
        this.writer = Thread.ofPlatform().daemon().name("pier-log-writer").unstarted(this::writeUntilClosed);
    }

    /**
     * A handler writing to {@code output} through a writer thread of its own, which is running when this returns.
     * A failure to write is told to {@code complaints} once, until writing works again.
     */
    static AsyncLogHandler start(Output output, Formatter formatter, int capacity, Consumer<String> complaints) {
        AsyncLogHandler handler = new AsyncLogHandler(output, formatter, capacity, complaints);
        handler.warmUp();
        handler.writer.start();
        return handler;
    }

    /**
     * Loads now what logging loads on first use (formats, the charset): with the descriptor table full, loading a
     * class fails, and the first line logged then must not be the one that breaks the server.
     */
    private void warmUp() {
        LogRecord sample = new LogRecord(Level.WARNING, "{0} sample {1,number,#}");
        sample.setParameters(new Object[] {"a", 1L});
        sample.setThrown(new IOException("sample"));
        output.charset().encode(getFormatter().format(capture(sample)) + droppedWarning(1).getMessage());
    }

    /** Queues the record for the writer, or counts it as dropped if the queue is full; never waits. */
    @Override
    public void publish(LogRecord record) {
        if (closed || !isLoggable(record)) {
            return;
        }
        if (!queue.offer(new Entry.Line(capture(record)))) {
            dropped.incrementAndGet();
            droppedEver.incrementAndGet();
        } else if (waitForEachLine) {
            drain(DRAIN_WAIT);
        }
    }

    /** From now on, {@link #publish} returns once the line is written (or after {@link #DRAIN_WAIT}). */
    void waitForEachLine() {
        waitForEachLine = true;
    }

    /**
     * Asks the writer to close the output and open it again by its name, as after a log rotation moved the file
     * away; lines queued before the request may go to either. Never waits: a signal handler calls it.
     */
    void reopen() {
        reopenWanted = true;
        queue.offer(new Entry.Reopen());   // if the queue is full, the writer is busy and sees the request anyway
    }

    /** Records dropped since the last report of them. */
    long dropped() {
        return dropped.get();
    }

    /** Records dropped since the handler started, reported or not. Safe from any thread. */
    long droppedSinceStart() {
        return droppedEver.get();
    }

    /** Waits up to {@link #DRAIN_WAIT} until the records queued so far are written. */
    @Override
    public void flush() {
        if (!closed) {
            drain(DRAIN_WAIT);
        }
    }

    /**
     * Waits up to {@code timeout} until the records queued so far are written (or failed to be).
     *
     * @return whether they were
     */
    boolean drain(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Entry.Mark mark = new Entry.Mark(new CountDownLatch(1));
        try {
            boolean drained = queue.offer(mark, timeout.toNanos(), TimeUnit.NANOSECONDS)
                    && mark.reached().await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            stuck = !drained;
            return drained;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Writes what is queued (waiting at most {@link #DRAIN_WAIT}, not at all if the last drain found the output
     * stuck), then drops whatever comes later.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (!stuck) {
            drain(DRAIN_WAIT);
        }
        closed = true;
        writer.interrupt();
    }

    /**
     * The record, or a copy whose parameters are values: the writer formats later, when a mutable parameter may have
     * changed. Formatting itself, the costly part, is left to the writer.
     */
    private static LogRecord capture(LogRecord record) {
        Object[] parameters = record.getParameters();
        if (parameters == null || Arrays.stream(parameters).allMatch(AsyncLogHandler::isValue)) {
            return record;
        }
        LogRecord copy = new LogRecord(record.getLevel(), record.getMessage());
        copy.setInstant(record.getInstant());
        copy.setLoggerName(record.getLoggerName());
        copy.setResourceBundle(record.getResourceBundle());
        copy.setResourceBundleName(record.getResourceBundleName());
        copy.setLongThreadID(record.getLongThreadID());
        copy.setSequenceNumber(record.getSequenceNumber());
        copy.setThrown(record.getThrown());
        copy.setParameters(Arrays.stream(parameters)
                .map(parameter -> isValue(parameter) ? parameter : printed(parameter))
                .toArray());
        return copy;
    }

    private static boolean isValue(Object parameter) {
        return parameter == null || VALUES.contains(parameter.getClass());
    }

    private void writeUntilClosed() {
        List<Entry> batch = new ArrayList<>(MAX_BATCH);
        StringBuilder text = new StringBuilder();
        try {
            while (!closed) {
                batch.add(queue.take());
                queue.drainTo(batch, MAX_BATCH - 1);
                if (reopenWanted) {
                    reopenWanted = false;
                    reopenOutput();
                }
                for (Entry entry : batch) {
                    switch (entry) {
                        case Entry.Line line -> format(line.record(), text);
                        case Entry.Mark mark -> {
                            write(text);
                            mark.reached().countDown();
                        }
                        case Entry.Reopen wakeUp -> { }
                    }
                }
                write(text);
                batch.clear();
                if (!waitForEachLine) {
                    // Lines logged meanwhile wait for the next write, rather than each waking the writer: under
                    // load a thread switch per line would cost the server more than the line itself.
                    Thread.sleep(GATHERING_TIME);
                }
            }
        } catch (InterruptedException closing) {
            // close() has drained what it could wait for.
        }
    }

    /** Appends the record's line; one that cannot be formatted is counted as dropped, and the writer goes on. */
    private void format(LogRecord record, StringBuilder text) {
        try {
            text.append(getFormatter().format(record));
        } catch (RuntimeException | Error e) {
            dropped.incrementAndGet();
            droppedEver.incrementAndGet();
        }
    }

    /** A parameter as text, taken on the logging thread; a value whose toString throws must not fail the caller. */
    private static String printed(Object parameter) {
        try {
            return String.valueOf(parameter);
        } catch (RuntimeException e) {
            return "(a value that cannot be printed)";
        }
    }

    /** The output opened again; if that fails, lines go on to the old one, and the failure is told. */
    private void reopenOutput() {
        if (output.reopen() == null) {
            return;
        }
        Output reopened;
        try {
            reopened = output.reopen().open();
        } catch (IOException e) {
            complaints.accept("cannot reopen the log file " + output.name() + ": " + Messages.reason(e)
                    + "; logging on to the file already open");
            return;
        }
        try {
            output.stream().close();
        } catch (IOException e) {
            // What it held was flushed at every write; the new file takes the lines from now on.
        }
        output = reopened;
    }

    /** Writes and empties {@code text}; once a write got through, reports the records dropped meanwhile. */
    private void write(StringBuilder text) {
        if (text.isEmpty()) {
            return;
        }
        boolean written = writeOut(text.toString());
        text.setLength(0);
        long lost = written ? dropped.getAndSet(0) : 0;
        if (lost > 0) {
            writeOut(getFormatter().format(droppedWarning(lost)));
        }
    }

    private boolean writeOut(String text) {
        try {
            output.write(text);
            failing = false;
            stuck = false;
            return true;
        } catch (IOException | RuntimeException e) {
            if (!failing) {
                failing = true;
                complaints.accept("cannot write the log to " + output.name() + ": " + Messages.reason(e));
            }
            return false;
        }
    }

    private static LogRecord droppedWarning(long lost) {
        return new LogRecord(Level.WARNING, lost + " log lines dropped: the log output was not being read");
    }
}
