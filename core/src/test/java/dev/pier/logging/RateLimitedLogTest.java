package dev.pier.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.text.MessageFormat;
import java.time.Duration;
import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimitedLogTest {

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final AtomicLong now = new AtomicLong();
    private final RateLimitedLog log = RateLimitedLog.of(new Collecting(), Duration.ofSeconds(10), now::get);

    @Test
    void oneLinePerIntervalThenTheCountOfTheRest() {
        for (int i = 0; i < 1000; i++) {
            log.log(System.Logger.Level.WARNING, "dropped a datagram from {0}", "peer" + i);
        }
        now.addAndGet(Duration.ofSeconds(10).toNanos());
        log.log(System.Logger.Level.WARNING, "dropped a datagram from {0}", "late");
        now.addAndGet(Duration.ofSeconds(10).toNanos());
        log.log(System.Logger.Level.WARNING, "dropped a datagram from {0}", "later");

        assertEquals(List.of("WARNING dropped a datagram from peer0",
                "WARNING dropped a datagram from late (999 more suppressed)",
                "WARNING dropped a datagram from later"), lines);
    }

    @Test
    void linesBelowTheLoggersLevelAreNeitherWrittenNorCounted() {
        log.log(System.Logger.Level.DEBUG, "noise");
        log.log(System.Logger.Level.WARNING, "first");
        assertEquals(List.of("WARNING first"), lines);
    }

    private final class Collecting implements System.Logger {
        @Override
        public String getName() {
            return "collecting";
        }

        @Override
        public boolean isLoggable(Level level) {
            return level.getSeverity() >= Level.INFO.getSeverity();
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
            lines.add(level + " " + msg);
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            lines.add(level + " " + MessageFormat.format(format, params));
        }
    }
}
