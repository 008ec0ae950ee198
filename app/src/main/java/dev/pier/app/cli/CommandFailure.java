package dev.pier.app.cli;

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
}
