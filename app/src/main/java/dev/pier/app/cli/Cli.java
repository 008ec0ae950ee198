package dev.pier.app.cli;

import picocli.CommandLine;
import picocli.CommandLine.TypeConversionException;

/**
 * The conventions every pier command follows: exit status 2 with a one-line error and a pointer to the help for a bad
 * command line, exit status 1 with a one-line message for a failure, never a stack trace unless {@code PIER_DEBUG} is
 * set.
 */
public final class Cli {

    private Cli() {}

    /** A command line for {@code command} that follows these conventions. */
    public static CommandLine commandLine(Object command) {
        return commandLine(command, debugRequested(System.getenv("PIER_DEBUG")));
    }

    static CommandLine commandLine(Object command, boolean debug) {
        return new CommandLine(command)
                .registerConverter(SocketKind.class, new LowerCaseChoice<>(SocketKind.class))
                .registerConverter(ConcurrencyMode.class, new LowerCaseChoice<>(ConcurrencyMode.class))
                .registerConverter(LogLevel.class, new LowerCaseChoice<>(LogLevel.class))
                .registerConverter(Double.class, Cli::number)
                .registerConverter(double.class, Cli::number)
                .registerConverter(Integer.class, Cli::wholeNumber)
                .registerConverter(int.class, Cli::wholeNumber)
                .setParameterExceptionHandler(new UsageErrorHandler())
                .setExecutionExceptionHandler(new FailureHandler(debug));
    }

    /** A number as picocli would read it, with a mistake said in words rather than as a Java type. */
    private static Double number(String value) {
        try {
            return Double.valueOf(value);
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + value + "' is not a number");
        }
    }

    private static Integer wholeNumber(String value) {
        try {
            return Integer.valueOf(value);
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + value + "' is not a whole number");
        }
    }

    static boolean debugRequested(String value) {
        return value != null && !value.isBlank() && !value.equals("0");
    }
}
