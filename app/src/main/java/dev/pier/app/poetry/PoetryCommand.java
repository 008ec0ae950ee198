package dev.pier.app.poetry;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code pier poetry}: the poetry service of the Twisted tutorial, on both of Pier's models. */
@Command(name = "poetry", mixinStandardHelpOptions = true, versionProvider = dev.pier.app.Version.class,
        description = {"The poetry service: poetry servers, a poetry client, a transform server and a caching proxy.",
                "Start with: pier poetry serve, then in another terminal: pier poetry get 10000 (or nc 127.0.0.1 "
                        + "10000)."},
        subcommands = {ServeCommand.class, GetCommand.class, TransformCommand.class, ProxyCommand.class})
public final class PoetryCommand implements Runnable {

    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(),
                "a poetry command is required: serve, get, transform or proxy");
    }
}
