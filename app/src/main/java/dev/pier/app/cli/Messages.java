package dev.pier.app.cli;

/** Keeps every error report on one line, whatever the exception's message holds. */
final class Messages {

    private Messages() {}

    static String oneLine(String message) {
        if (message == null || message.isBlank()) {
            return "failed (no details)";
        }
        return message.strip().replaceAll("\\s*\\R\\s*", "; ");
    }
}
