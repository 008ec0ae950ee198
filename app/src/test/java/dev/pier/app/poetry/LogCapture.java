package dev.pier.app.poetry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/** Collects the formatted messages logged to one logger during a test. */
final class LogCapture extends Handler implements AutoCloseable {

    private final Logger logger;
    private final List<String> messages = new ArrayList<>();
    private final SimpleFormatter formatter = new SimpleFormatter();

    LogCapture(Class<?> source) {
        logger = Logger.getLogger(source.getName());
        logger.addHandler(this);
    }

    synchronized List<String> messages() {
        return List.copyOf(messages);
    }

    /** Waits until {@code count} messages contain {@code fragment}; returns them (fewer if the time ran out). */
    synchronized List<String> await(String fragment, int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> matching;
        while ((matching = messages.stream().filter(m -> m.contains(fragment)).toList()).size() < count) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return matching;
    }

    @Override
    public synchronized void publish(LogRecord record) {
        messages.add(formatter.formatMessage(record));
        notifyAll();
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
