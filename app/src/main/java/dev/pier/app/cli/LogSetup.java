package dev.pier.app.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;
import java.util.function.Consumer;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import sun.misc.Signal;

/**
 * Sends the application's {@link System.Logger} output, through java.util.logging, to stderr or a file, one line per
 * event: {@code 2026-11-23T10:00:00Z INFO served 3003 bytes to 127.0.0.1:5555 in 2 ms}. A failure's exception is
 * shown as its reason on the same line; its type and stack trace only with {@code PIER_DEBUG} set.
 *
 * <p>Lines are written by a thread of their own ({@link AsyncLogHandler}): a log output that nobody reads costs
 * log lines, never a served request.
 */
public final class LogSetup {

    private LogSetup() {}

    /** Logs to stderr; failing to write there cannot be reported anywhere else. */
    public static void toStderr() {
        install(new AsyncLogHandler.Output("stderr", new FileOutputStream(FileDescriptor.err),
                System.err.charset()), failure -> { });
    }

    /**
     * Logs to {@code file}, appending, writing every line at once (so {@code tail -f} and a crash see everything).
     * If writing fails, e.g. the disk is full, that is said once on stderr. {@link #reopen()} opens the file again.
     *
     * @throws CommandFailure if the file cannot be opened
     */
    public static void toFile(Path file) {
        try {
            install(openAppending(file), failure -> System.err.println("pier: " + failure));
        } catch (IOException e) {
            throw new CommandFailure("cannot open log file '" + file + "': " + Messages.reason(e), e);
        }
    }

    private static AsyncLogHandler.Output openAppending(Path file) throws IOException {
        // A FileOutputStream, not a channel: interrupting the writer must not close the log file.
        OutputStream out = new FileOutputStream(file.toFile(), true);
        return new AsyncLogHandler.Output(file.toString(), out, StandardCharsets.UTF_8, () -> openAppending(file));
    }

    /** Logs events of {@code level} and more important ones. */
    static void setLevel(Level level) {
        Logger.getLogger("").setLevel(level);
    }

    /**
     * Has SIGUSR1 reopen the log file, as twistd and nginx do: after a log rotation renamed it, lines go to a new file
     * of the same name. Logging to stderr, the signal changes nothing.
     */
    static void reopenOnSignal() {
        reopenOnSignal(() -> {});
    }

    /** As {@link #reopenOnSignal()}, then runs {@code alsoThen}: to tell other processes that log to the file. */
    public static void reopenOnSignal(Runnable alsoThen) {
        try {
            Signal.handle(new Signal("USR1"), signal -> {
                reopen();
                alsoThen.run();
            });
        } catch (IllegalArgumentException reservedOrIgnored) {
            // The JVM keeps the signal for itself (-Xrs) or it is ignored: rotation then needs a restart.
        }
    }

    /** Opens the log file again, on the writer's thread; nothing for stderr. */
    public static void reopen() {
        for (Handler handler : Logger.getLogger("").getHandlers()) {
            if (handler instanceof AsyncLogHandler async) {
                async.reopen();
            }
        }
    }

    /**
     * From now on a line is written before the code that logged it goes on: for a forked child, whose standard error
     * points at /dev/null for a moment when its request's connection closes, and which ends once the request is done.
     */
    static void writeEachLineBeforeGoingOn() {
        for (Handler handler : Logger.getLogger("").getHandlers()) {
            if (handler instanceof AsyncLogHandler async) {
                async.waitForEachLine();
            }
        }
    }

    /**
     * Writes out the lines logged so far, waiting at most {@code timeout}; for the end of a command, so that what
     * was logged while it stopped is not lost.
     */
    public static void drain(Duration timeout) {
        for (Handler handler : Logger.getLogger("").getHandlers()) {
            if (handler instanceof AsyncLogHandler async) {
                async.drain(timeout);
            }
        }
    }

    /**
     * The log lines dropped so far because the output was not being read (or could not keep up), since logging was
     * set up; empty if the log is not written through an {@link AsyncLogHandler}. Safe from any thread.
     */
    static OptionalLong droppedLines() {
        boolean found = false;
        long dropped = 0;
        for (Handler handler : Logger.getLogger("").getHandlers()) {
            if (handler instanceof AsyncLogHandler async) {
                found = true;
                dropped += async.droppedSinceStart();
            }
        }
        return found ? OptionalLong.of(dropped) : OptionalLong.empty();
    }

    private static void install(AsyncLogHandler.Output output, Consumer<String> complaints) {
        AsyncLogHandler handler = AsyncLogHandler.start(output, new OneLine(), AsyncLogHandler.DEFAULT_CAPACITY,
                complaints);
        Logger root = Logger.getLogger("");
        for (Handler old : root.getHandlers()) {
            root.removeHandler(old);
            old.close();
        }
        root.addHandler(handler);
        root.setLevel(Level.INFO);
    }

    /**
     * The single-line format. A server may log a line per client, so a line costs little: the time stamp is
     * formatted once a second, and a message is searched for line breaks only when it has one.
     */
    public static final class OneLine extends Formatter {
        private static final Pattern LINE_BREAK = Pattern.compile("\\s*\\R\\s*");

        private final boolean stackTraces;
        /** The second {@link #stamp} was formatted for; both guarded by this formatter's lock. */
        private long stampSecond = Long.MIN_VALUE;
        private String stamp;

        /** Adds stack traces when {@code PIER_DEBUG} is set (and not 0). */
        public OneLine() {
            this(Cli.debugRequested(System.getenv("PIER_DEBUG")));
        }

        OneLine(boolean stackTraces) {
            this.stackTraces = stackTraces;
        }

        @Override
        public String format(LogRecord record) {
            String message = formatMessage(record);
            if (message.chars().anyMatch(OneLine::breaksLines)) {
                message = LINE_BREAK.matcher(message).replaceAll("; ");
            }
            StringBuilder line = new StringBuilder(120)
                    .append(stamp(record.getInstant().getEpochSecond()))
                    .append(' ').append(levelName(record.getLevel()))
                    .append(' ').append(message);
            Throwable thrown = record.getThrown();
            if (thrown != null) {
                line.append(": ").append(Messages.reason(thrown));
            }
            line.append(System.lineSeparator());
            if (thrown != null && stackTraces) {
                var trace = new java.io.StringWriter();
                thrown.printStackTrace(new java.io.PrintWriter(trace));
                line.append(trace);
            }
            return line.toString();
        }

        /** What {@code \R} matches: a message must not start a line of its own in the log. */
        private static boolean breaksLines(int c) {
            return c == '\n' || c == '\r' || c == '\u000B' || c == '\f' || c == '\u0085' || c == '\u2028'
                    || c == '\u2029';
        }

        private synchronized String stamp(long second) {
            if (second != stampSecond) {
                stamp = Instant.ofEpochSecond(second).toString();
                stampSecond = second;
            }
            return stamp;
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
