package dev.pier.app.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/**
 * Sends the application's {@link System.Logger} output, through java.util.logging, to stderr or a file, one line per
 * event: {@code 2026-11-23T10:00:00Z INFO served 3003 bytes to /127.0.0.1:5555 in 2 ms}. A failure's exception is
 * shown as its type and message on the same line; the stack trace only with {@code PIER_DEBUG} set.
 */
public final class LogSetup {

    private LogSetup() {}

    /** Logs to stderr. */
    public static void toStderr() {
        install(new ConsoleHandler());
    }

    /** Logs to {@code file}, appending, flushing every line (so {@code tail -f} and a crash see everything). */
    public static void toFile(Path file) throws IOException {
        OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        install(new StreamHandler(new PrintStream(out, true), new OneLine()) {
            @Override
            public synchronized void publish(LogRecord record) {
                super.publish(record);
                flush();
            }
        });
    }

    private static void install(Handler handler) {
        handler.setFormatter(new OneLine());
        handler.setLevel(Level.ALL);
        Logger root = Logger.getLogger("");
        for (Handler old : root.getHandlers()) {
            root.removeHandler(old);
            old.close();
        }
        root.addHandler(handler);
        root.setLevel(Level.INFO);
    }

    /** The single-line format. */
    public static final class OneLine extends Formatter {
        private final boolean stackTraces;

        /** Adds stack traces when {@code PIER_DEBUG} is set (and not 0). */
        public OneLine() {
            this(Cli.debugRequested(System.getenv("PIER_DEBUG")));
        }

        OneLine(boolean stackTraces) {
            this.stackTraces = stackTraces;
        }

        @Override
        public String format(LogRecord record) {
            StringBuilder line = new StringBuilder(120)
                    .append(Instant.ofEpochMilli(record.getMillis()).truncatedTo(ChronoUnit.SECONDS))
                    .append(' ').append(levelName(record.getLevel()))
                    .append(' ').append(formatMessage(record).replaceAll("\\s*\\R\\s*", "; "));
            Throwable thrown = record.getThrown();
            if (thrown != null) {
                line.append(": ").append(thrown);
            }
            line.append(System.lineSeparator());
            if (thrown != null && stackTraces) {
                var trace = new java.io.StringWriter();
                thrown.printStackTrace(new java.io.PrintWriter(trace));
                line.append(trace);
            }
            return line.toString();
        }

        private static String levelName(Level level) {
            if (level.intValue() >= Level.SEVERE.intValue()) {
                return "ERROR";
            }
            if (level.intValue() >= Level.WARNING.intValue()) {
                return "WARN";
            }
            if (level.intValue() >= Level.INFO.intValue()) {
                return "INFO";
            }
            return "DEBUG";
        }
    }
}
