package dev.pier.app.run;

import static dev.pier.app.cli.Options.flag;
import static dev.pier.app.cli.Options.option;
import static dev.pier.app.cli.Options.parameter;

import dev.pier.app.Main;
import dev.pier.app.cli.Cli;
import dev.pier.app.cli.CommandFailure;
import dev.pier.app.cli.Composition;
import dev.pier.app.cli.Messages;
import dev.pier.app.cli.ProcessOptions;
import dev.pier.endpoint.ProxiedEndpoint;
import dev.pier.endpoint.ServerEndpoint;
import dev.pier.endpoint.SystemdEndpoint;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/** {@code pier run FILE}: the services a file lists, in this process or in one process each. */
public final class RunCommand implements Callable<Integer> {

    private final CommandSpec spec = Cli.command(this, "run");
    private final ProcessOptions process = new ProcessOptions();
    private boolean split;
    private String only;
    /** Set in the processes a {@code --split} run starts: they leave Ctrl-C and the lifetime to it. */
    private boolean supervised;
    private Path file;

    public RunCommand() {
        spec.usageMessage().sortOptions(false).description(
                "Runs the services FILE lists, one per line as NAME: ARGUMENTS, where ARGUMENTS are what would "
                        + "follow pier (e.g. poetry: poetry serve --listen tcp:10000 ecstasy.txt); # starts a "
                        + "comment line.",
                "By default every service runs in this process, the reactor services sharing the event loops; with "
                        + "--split each runs in a process of its own, started again (after 1 s, then up to 30 s) if "
                        + "it dies; --only NAME runs one service (e.g. for a systemd template unit).",
                "Prints each service's ready lines as its command does; on SIGTERM, SIGINT or SIGHUP every service "
                        + "drains (up to --grace seconds), then 'Stopped' is printed and the exit status is 0.",
                "--grace, --log-file, --log-level, --pid-file and --metrics are given here, for every service; "
                        + "a line may not give them.")
                .footer("", "Exit status: 0 after a clean stop; 1 if a service failed; 2 for a bad command line or a "
                        + "mistake in FILE (said as FILE:LINE).");
        spec.addOption(flag("--split", value -> split = value,
                "run each service in a process of its own, under this one").build());
        spec.addOption(option("--only", "NAME", String.class, value -> only = value,
                "run only the service NAME").build());
        spec.addOption(flag("--supervised", value -> supervised = value).hidden(true).build());
        spec.addMixin("process", process.mixinOf(spec));
        spec.addPositional(parameter("FILE", Path.class, value -> file = value, "the services file").build());
        Cli.addStandardHelpOptions(spec);
    }

    /** This command, as picocli declares it. */
    public CommandSpec spec() {
        return spec;
    }

    @Override
    public Integer call() {
        ServicesFile services;
        try {
            services = ServicesFile.read(file);
        } catch (ServicesFile.Invalid e) {
            throw usage(e.getMessage());
        }
        if (split && only != null) {
            throw usage("give either --split or --only, not both: --split runs every service, each in a process");
        }
        List<ServicesFile.Entry> chosen = services.services();
        if (only != null) {
            ServicesFile.Entry entry = services.find(only);
            if (entry == null) {
                throw usage("no service named " + only + " in " + file + ": it has "
                        + String.join(", ", services.names()));
            }
            chosen = List.of(entry);
        }
        Composition composition = new Composition();
        for (ServicesFile.Entry entry : chosen) {
            compose(entry, composition);
        }
        if (split) {
            if (process.hasMetrics()) {
                throw usage("--metrics serves one process's health: with --split, run each service with "
                        + "pier run FILE --only NAME --metrics ENDPOINT (one unit each)");
            }
            composition.endpoints().stream().filter(RunCommand::passedBySystemd).findFirst().ifPresent(endpoint -> {
                throw usage(endpoint.describe() + " is a socket systemd passes to one process, which --split would "
                        + "not hand on: run that service with pier run FILE --only NAME under its own unit");
            });
            return new Supervisor(services.names(), process, spec.commandLine().getOut())
                    .superviseUntilStopped(childCommand());
        }
        return process.serve(composition.starts(), composition.endpoints(), supervised);
    }

    /**
     * Parses one line as the command it names and runs that command's own checks and set-up, which adds its
     * servers to {@code composition} without starting them.
     */
    private void compose(ServicesFile.Entry entry, Composition composition) {
        String where = file + ":" + entry.line() + ": ";
        CommandLine line = Cli.commandLine(new Main().spec());
        ParseResult parsed;
        try {
            parsed = line.parseArgs(entry.arguments().toArray(String[]::new));
        } catch (ParameterException e) {
            throw usage(where + e.getCommandLine().getCommandSpec().qualifiedName() + ": "
                    + e.getMessage());
        }
        CommandLine command = parsed.asCommandLineList().getLast();
        String name = command.getCommandSpec().qualifiedName();
        if (parsed.asCommandLineList().stream().map(CommandLine::getParseResult)
                .anyMatch(result -> result.isUsageHelpRequested() || result.isVersionHelpRequested())) {
            throw usage(where + "--help and --version have no place in a services file");
        }
        ProcessOptions options = command.getCommandSpec().mixins().values().stream()
                .map(CommandSpec::userObject)
                .filter(ProcessOptions.class::isInstance).map(ProcessOptions.class::cast)
                .findFirst().orElse(null);
        if (name.equals(spec.qualifiedName())) {
            throw usage(where + "a services file lists services, not other services files: give their lines here");
        }
        if (options == null) {
            throw usage(where + "'" + name + "' is not a server: a services file lists serving commands (pier echo,"
                    + " pier poetry serve, pier poetry transform, pier poetry proxy)");
        }
        options.composeInto(composition);
        try {
            ((Callable<?>) command.getCommand()).call();
        } catch (ParameterException e) {
            throw usage(where + name + ": " + e.getMessage());
        } catch (CommandFailure e) {
            throw new CommandFailure(where + e.getMessage(), e);
        } catch (Exception e) {
            throw new CommandFailure(where + name + ": " + Messages.reason(e), e);
        }
    }

    private static boolean passedBySystemd(ServerEndpoint endpoint) {
        return endpoint instanceof SystemdEndpoint
                || endpoint instanceof ProxiedEndpoint proxied && passedBySystemd(proxied.inner());
    }

    /**
     * This JVM's command line with {@code pier run FILE --only NAME} for arguments, less the name, for the processes
     * of {@code --split}: they run as this one does (launcher options, start-up cache).
     */
    private List<String> childCommand() {
        ProcessHandle.Info self = ProcessHandle.current().info();
        List<String> own = self.arguments().map(List::of).orElse(List.of());
        List<String> given = spec.root().commandLine().getParseResult().originalArgs();
        if (self.command().isEmpty() || own.size() < given.size()
                || !own.subList(own.size() - given.size(), own.size()).equals(given)) {
            throw new CommandFailure("cannot read this process's command line to start the services: run each with"
                    + " pier run " + file + " --only NAME");
        }
        List<String> command = new ArrayList<>();
        command.add(self.command().get());
        command.addAll(own.subList(0, own.size() - given.size()));
        command.addAll(List.of("run", file.toString(), "--supervised"));
        command.addAll(process.asArguments());
        command.add("--only");
        return command;
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
