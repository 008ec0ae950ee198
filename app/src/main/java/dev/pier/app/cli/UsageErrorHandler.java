package dev.pier.app.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;

/**
 * Reports a bad command line as one line naming the command and the mistake, then where the help is; not the whole
 * help, which would scroll the mistake out of sight.
 */
final class UsageErrorHandler implements IParameterExceptionHandler {

    @Override
    public int handleParseException(ParameterException error, String[] args) {
        CommandLine command = error.getCommandLine();
        PrintWriter err = command.getErr();
        String name = command.getCommandSpec().qualifiedName();
        err.println(name + ": " + Messages.oneLine(error.getMessage()));
        err.println("Try '" + name + " --help'.");
        err.flush();
        return ExitStatus.USAGE;
    }
}
