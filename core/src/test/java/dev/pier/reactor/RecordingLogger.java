package dev.pier.reactor;

import java.text.MessageFormat;
import java.util.Queue;
import java.util.ResourceBundle;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A System.Logger that keeps every message at INFO and above, so tests can wait for what the reactor reports. */
final class RecordingLogger implements System.Logger {

    private final LinkedBlockingQueue<String> messages = new LinkedBlockingQueue<>();
    private final Queue<String> seen = new ConcurrentLinkedQueue<>();

    @Override
    public String getName() {
        return "recording";
    }

    @Override
    public boolean isLoggable(Level level) {
        return level.getSeverity() >= Level.INFO.getSeverity();
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
        if (isLoggable(level)) {
            messages.add(level + " " + msg);
        }
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String format, Object... params) {
        if (isLoggable(level)) {
            messages.add(level + " " + (params == null || params.length == 0 ? format
                    : MessageFormat.format(format, params)));
        }
    }

    /** Waits for the next message containing {@code fragment}, skipping others; fails after 10 s. */
    String await(String fragment) throws InterruptedException {
        while (true) {
            String message = messages.poll(10, TimeUnit.SECONDS);
            if (message == null) {
                throw new AssertionError("no log message containing '" + fragment + "' within 10 s");
            }
            seen.add(message);
            if (message.contains(fragment)) {
                return message;
            }
        }
    }

    /** How many messages so far, awaited or not, contain {@code fragment}. */
    long count(String fragment) {
        return seen.stream().filter(m -> m.contains(fragment)).count()
                + messages.stream().filter(m -> m.contains(fragment)).count();
    }
}
