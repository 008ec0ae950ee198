package dev.pier.app.cli;

import dev.pier.app.Version;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.TypeConversionException;

/**
 * The conventions every pier command follows: exit status 2 with a one-line error and a pointer to the help for a bad
 * command line, exit status 1 with a one-line message for a failure, never a stack trace unless {@code PIER_DEBUG} is
 * set.
 *
 * <p>Commands are declared in code ({@link #command}, {@link Options}), not with picocli's annotations: reading
 * annotations makes the JVM generate classes at run time, which its ahead-of-time cache cannot keep, and took most
 * of a command's start-up.
 */
public final class Cli {

    /** The name picocli gives the standard help options' mixin, kept so that picocli recognises them as such. */
    private static final String STANDARD_HELP_OPTIONS = "mixinStandardHelpOptions";

    private Cli() {}

    /**
     * The command {@code name}, run by {@code command} (a {@link Runnable} or a {@link java.util.concurrent.Callable})
     * and reporting pier's version; its options, then {@link #addStandardHelpOptions}, come next.
     */
    public static CommandSpec command(Object command, String name) {
        return CommandSpec.wrapWithoutInspection(command).name(name).versionProvider(new Version());
    }

    /**
     * Adds {@code -h, --help} and {@code -V, --version}, worded as picocli's own; last, after the command's options,
     * where the help lists them.
     */
    public static void addStandardHelpOptions(CommandSpec command) {
        CommandSpec help = CommandSpec.create();
        help.addOption(OptionSpec.builder("-h", "--help").type(boolean.class).initialValue(false).usageHelp(true)
                .description("Show this help message and exit.").build());
        help.addOption(OptionSpec.builder("-V", "--version").type(boolean.class).initialValue(false).versionHelp(true)
                .description("Print version information and exit.").build());
        command.addMixin(STANDARD_HELP_OPTIONS, help);
    }

    /** A command line for {@code command} that follows these conventions. */
    public static CommandLine commandLine(CommandSpec command) {
        return commandLine(command, debugRequested(System.getenv("PIER_DEBUG")));
    }

    static CommandLine commandLine(CommandSpec command, boolean debug) {
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
