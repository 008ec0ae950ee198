package dev.pier.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.time.Instant;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class LogSetupTest {

    private final LogSetup.OneLine format = new LogSetup.OneLine(false);

    private static LogRecord record(Level level, String message) {
        LogRecord record = new LogRecord(level, message);
        record.setInstant(Instant.parse("2026-11-23T10:00:00.123Z"));
        return record;
    }

    @Test
    void oneLinePerEventWithTimeAndLevel() {
        assertEquals("2026-11-23T10:00:00Z INFO served 3003 bytes to 127.0.0.1:5555 in 2 ms" + System.lineSeparator(),
                format.format(record(Level.INFO, "served 3003 bytes to 127.0.0.1:5555 in 2 ms")));
        assertEquals("2026-11-23T10:00:00Z WARN slow" + System.lineSeparator(),
                format.format(record(Level.WARNING, "slow")));
        assertEquals("2026-11-23T10:00:00Z ERROR broken" + System.lineSeparator(),
                format.format(record(Level.SEVERE, "broken")));
    }

    @Test
    void parametersAreFilledInAndLineBreaksFolded() {
        LogRecord record = record(Level.INFO, "{0} said\nhello");
        record.setParameters(new Object[] {"client"});
        assertEquals("2026-11-23T10:00:00Z INFO client said; hello" + System.lineSeparator(), format.format(record));
    }

    @Test
    void everyKindOfLineBreakAPeerMaySendIsFoldedAndEachSecondHasItsStamp() {
        LogRecord record = record(Level.INFO, "a\u2028b\r\nc\u0085d");
        assertEquals("2026-11-23T10:00:00Z INFO a; b; c; d" + System.lineSeparator(), format.format(record));
        LogRecord later = new LogRecord(Level.INFO, "later");
        later.setInstant(Instant.parse("2026-11-23T10:00:01.999Z"));
        assertEquals("2026-11-23T10:00:01Z INFO later" + System.lineSeparator(), format.format(later));
    }

    @Test
    void anExceptionsReasonIsShownOnTheSameLineWithoutItsType() {
        LogRecord record = record(Level.WARNING, "accept failed");
        record.setThrown(new IOException("Too many open files"));
        assertEquals("2026-11-23T10:00:00Z WARN accept failed: Too many open files"
                + System.lineSeparator(), format.format(record));
    }
}
