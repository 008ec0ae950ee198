package dev.pier.app.cli;

import java.util.concurrent.CompletionException;

/**
 * A failure the user can act on, such as a busy address: the command prints {@code pier: MESSAGE} as one line and
 * exits with status 1, without a stack trace.
 */
public final class CommandFailure extends RuntimeException {

    public CommandFailure(String message) {
        super(message);
    }

    public CommandFailure(String message, Throwable cause) {
        super(message, cause);
    }

    /** The end of a command whose event loop died of {@code failure} (as a stage reports it, or unwrapped). */
    public static CommandFailure eventLoopFailed(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        return new CommandFailure("the event loop failed: " + Messages.reason(cause), cause);
    }
}
