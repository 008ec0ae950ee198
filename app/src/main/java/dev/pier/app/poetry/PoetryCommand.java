package dev.pier.app.poetry;

import dev.pier.app.cli.Cli;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** {@code pier poetry}: the poetry service of the Twisted tutorial, on both of Pier's models. */
public final class PoetryCommand implements Runnable {

    private final CommandSpec spec = Cli.command(this, "poetry");

    public PoetryCommand() {
        spec.usageMessage().description(
                "The poetry service: poetry servers, a poetry client, a transform server and a caching proxy.",
                "Start with: pier poetry serve, then in another terminal: pier poetry get 10000 (or nc 127.0.0.1 "
                        + "10000).");
        spec.addSubcommand("serve", new ServeCommand().spec());
        spec.addSubcommand("get", new GetCommand().spec());
        spec.addSubcommand("transform", new TransformCommand().spec());
        spec.addSubcommand("proxy", new ProxyCommand().spec());
        Cli.addStandardHelpOptions(spec);
    }

    /** This command and its subcommands, as picocli declares them. */
    public CommandSpec spec() {
        return spec;
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(),
                "a poetry command is required: serve, get, transform or proxy");
    }
}
