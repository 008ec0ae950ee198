package dev.pier.app.cli;

import java.io.FileNotFoundException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/** Keeps every error report on one line, in plain words, whatever the exception's message holds. */
public final class Messages {

    private Messages() {}

    static String oneLine(String message) {
        if (message == null || message.isBlank()) {
            return "failed (no details)";
        }
        return message.strip().replaceAll("\\s*\\R\\s*", "; ");
    }

    /**
     * Why {@code failure} happened, in words a user reads: the system's own ("Permission denied"), never a Java type.
     * The file or host concerned is left to the caller, who knows what it was for.
     */
    public static String reason(Throwable failure) {
        return oneLine(switch (failure) {
            case NoSuchFileException e -> "no such file or directory";
            case AccessDeniedException e -> "permission denied";
            case FileAlreadyExistsException e -> "it already exists";
            case NotDirectoryException e -> "not a directory";
            case FileSystemException e when e.getReason() != null -> e.getReason();
            // "x.log (Permission denied)": the reason is in the parentheses.
            case FileNotFoundException e when e.getMessage() != null && e.getMessage().endsWith(")")
                    && e.getMessage().contains(" (") ->
                    e.getMessage().substring(e.getMessage().lastIndexOf(" (") + 2, e.getMessage().length() - 1);
            case UnresolvedAddressException e -> "unknown host";
            // The JDK names the host alone; others say a sentence of their own.
            case UnknownHostException e when e.getMessage() != null && !e.getMessage().contains(" ") ->
                    "unknown host '" + e.getMessage() + "'";
            case UnknownHostException e when e.getMessage() != null -> e.getMessage();
            case UnknownHostException e -> "unknown host";
            case ClosedChannelException e -> "the connection was closed";
            case OutOfMemoryError e -> "out of memory" + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")");
            case StackOverflowError e -> "stack overflow";
            default -> failure.getMessage() != null && !failure.getMessage().isBlank() ? failure.getMessage()
                    : "an internal error with no message (" + failure.getClass().getSimpleName() + ")";
        });
    }
}
