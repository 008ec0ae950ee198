package dev.pier.app.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Reports an exception thrown by a running command as one line on stderr. A {@link CommandFailure} is the user's to
 * fix and shows its message alone; anything else is a bug, shown with its message and a hint to set
 * {@code PIER_DEBUG=1}, which adds the stack trace.
 */
final class FailureHandler implements IExecutionExceptionHandler {

    private final boolean debug;

    FailureHandler(boolean debug) {
        this.debug = debug;
    }

    @Override
    public int handleExecutionException(Exception error, CommandLine command, ParseResult parsed) {
        PrintWriter err = command.getErr();
        if (error instanceof CommandFailure failure) {
            err.println("pier: " + Messages.oneLine(failure.getMessage()));
        } else {
            err.println("pier: unexpected error: " + Messages.reason(error)
                    + (debug ? "" : " (run with PIER_DEBUG=1 to see the stack trace)"));
        }
        if (debug) {
            error.printStackTrace(err);
        }
        err.flush();
        return ExitStatus.FAILURE;
    }
}
