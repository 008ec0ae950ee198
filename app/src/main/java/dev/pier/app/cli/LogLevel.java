package dev.pier.app.cli;

import java.util.Locale;
import java.util.logging.Level;

/** The least important events a command logs ({@code --log-level}), named as in the log lines. */
public enum LogLevel {
    ERROR(Level.SEVERE),
    WARN(Level.WARNING),
    INFO(Level.INFO),
    DEBUG(Level.FINE);

    private final Level level;

    LogLevel(Level level) {
        this.level = level;
    }

    Level level() {
        return level;
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
