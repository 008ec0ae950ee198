package dev.pier.app.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class AsyncLogHandlerTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final List<String> complaints = new CopyOnWriteArrayList<>();

    /** An output that takes the first write, then holds it until released, as a pipe nobody reads. */
    private static final class StuckOutput extends OutputStream {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch released = new CountDownLatch(1);
        final ByteArrayOutputStream written = new ByteArrayOutputStream();

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            entered.countDown();
            try {
                released.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            synchronized (written) {
                written.write(bytes, offset, length);
            }
        }

        List<String> lines() {
            synchronized (written) {
                return written.toString(UTF_8).lines().toList();
            }
        }
    }

    private AsyncLogHandler handler(OutputStream out, String name, int capacity) {
        return AsyncLogHandler.start(new AsyncLogHandler.Output(name, out, UTF_8), new LogSetup.OneLine(false),
                capacity, complaints::add);
    }

    private static LogRecord record(Level level, String message, Object... parameters) {
        LogRecord record = new LogRecord(level, message);
        record.setParameters(parameters);
        return record;
    }

    @Test
    void aStuckOutputNeverHoldsTheLoggingThreadAndTheDropsAreReportedOnceItMoves() throws Exception {
        StuckOutput out = new StuckOutput();
        AsyncLogHandler handler = handler(out, "stderr", 16);
        try {
            handler.publish(record(Level.INFO, "first"));
            assertTrue(out.entered.await(10, TimeUnit.SECONDS), "the writer took the first line");

            for (int i = 0; i < 10_000; i++) {
                handler.publish(record(Level.INFO, "line {0}", i));
            }
            assertEquals(10_000 - 16, handler.dropped(), "all but a full queue dropped, none waited for");

            out.released.countDown();
            assertTrue(handler.drain(WAIT));
            List<String> lines = out.lines();
            assertTrue(lines.getFirst().endsWith(" INFO first"), lines.getFirst());
            assertTrue(lines.get(1).endsWith(" WARN 9984 log lines dropped: the log output was not being read"),
                    lines.get(1));
            assertEquals(1 + 1 + 16, lines.size());
            assertTrue(lines.getLast().endsWith(" INFO line 15"), lines.getLast());
            assertEquals(0, handler.dropped());
            assertEquals(10_000 - 16, handler.droppedSinceStart(), "the total stays once reported, for --metrics");
        } finally {
            out.released.countDown();
            handler.close();
        }
    }

    @Test
    void parametersAreTakenAtLogTimeAndFormattedOnOneLineLater() throws Exception {
        StuckOutput out = new StuckOutput();
        AsyncLogHandler handler = handler(out, "stderr", 16);
        try {
            handler.publish(record(Level.INFO, "first"));
            assertTrue(out.entered.await(10, TimeUnit.SECONDS));
            StringBuilder state = new StringBuilder("before");
            LogRecord record = record(Level.WARNING, "{0} sent {1,number,#} bytes\nthen {2}", "/127.0.0.1:5555",
                    3003L, state);
            record.setThrown(new IOException("Connection reset"));
            handler.publish(record);
            state.replace(0, state.length(), "after");

            out.released.countDown();
            assertTrue(handler.drain(WAIT));
            assertTrue(out.lines().get(1).endsWith(
                    " WARN /127.0.0.1:5555 sent 3003 bytes; then before: Connection reset"),
                    out.lines().get(1));
        } finally {
            out.released.countDown();
            handler.close();
        }
    }

    @Test
    void anOutputThatCannotBeWrittenIsReportedOnce() throws Exception {
        AsyncLogHandler handler = handler(new FileOutputStream("/dev/full"), "/dev/full", 16);
        try {
            for (int i = 0; i < 3; i++) {
                handler.publish(record(Level.INFO, "line {0}", i));
                assertTrue(handler.drain(WAIT));
            }
            assertEquals(List.of("cannot write the log to /dev/full: No space left on device"), complaints);
        } finally {
            handler.close();
        }
    }

    @Test
    void closingWritesWhatWasLoggedBefore() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AsyncLogHandler handler = handler(out, "memory", 1024);
        for (int i = 0; i < 100; i++) {
            handler.publish(record(Level.INFO, "Stopped {0}", i));
        }
        handler.close();
        List<String> lines;
        synchronized (out) {
            lines = out.toString(UTF_8).lines().toList();
        }
        assertEquals(100, lines.size());
        assertTrue(lines.getLast().endsWith(" INFO Stopped 99"), lines.getLast());
        handler.publish(record(Level.INFO, "after close"));
        assertEquals(0, handler.dropped());
    }
}
