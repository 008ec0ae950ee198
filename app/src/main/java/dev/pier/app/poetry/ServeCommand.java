package dev.pier.app.poetry;

import static dev.pier.app.cli.Options.option;
import static dev.pier.app.cli.Options.parameters;

import dev.pier.app.cli.Cli;
import dev.pier.app.cli.ConcurrencyMode;
import dev.pier.app.cli.Servers;
import dev.pier.app.cli.ServiceHandlers;
import dev.pier.app.cli.ServiceOptions;
import dev.pier.app.cli.Serving;
import dev.pier.endpoint.ServerEndpoint;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** {@code pier poetry serve}: the tutorial's fast and slow poetry servers, one port per poem. */
public final class ServeCommand implements Callable<Integer> {

    static final int DEFAULT_PORT = 10000;

    private final CommandSpec spec = Cli.command(this, "serve");
    private final ServiceOptions service = new ServiceOptions();
    private Double delay;
    private Integer numBytes;
    private ConcurrencyMode concurrency;
    private List<Path> poemFiles;

    public ServeCommand() {
        spec.usageMessage().sortOptions(false).description(
                "Poetry server: every client that connects is sent the poem, then the connection closes.",
                "Without a POEM, serves the bundled ecstasy.txt on tcp:10000:interface=127.0.0.1 "
                        + "(try: nc 127.0.0.1 10000).",
                "Several POEMs are served on several ports: the --listen (or --path) endpoints in order, else "
                        + "--port, --port+1, ...",
                "With --delay or --num-bytes the server is slow: it sends NUM-BYTES every DELAY seconds.",
                "Prints 'Serving POEM on ENDPOINT' per port when ready; on SIGTERM, SIGINT or SIGHUP stops "
                        + "accepting, lets poems in flight finish (up to --grace seconds; a second signal stops at "
                        + "once), prints 'Stopped' and exits with status 0.",
                "A poem cut short (when the grace period is over) ends with a reset, never with the orderly close "
                        + "of a whole poem.")
                .footer("", "Exit status: 0 after a clean stop; 1 if serving failed (e.g. the port is in use); "
                        + "2 for a bad command line, including a POEM file that cannot be read.");
        spec.addOption(option("--delay", "SECONDS", Double.class, value -> delay = value,
                "slow mode: seconds between chunks (default when slow: 0.7)").build());
        spec.addOption(option("--num-bytes", "N", Integer.class, value -> numBytes = value,
                "slow mode: bytes per chunk (default when slow: 10)").build());
        spec.addOption(option("--concurrency", "MODE", ConcurrencyMode.class, value -> concurrency = value,
                "reactor (an event loop per core, timers for slow mode), or the blocking model's sync, threads, "
                        + "virtual or forking (a handler per client) (default: ${DEFAULT-VALUE})")
                .defaultValue("reactor").build());
        spec.addMixin("service", service.mixinOf(spec));
        spec.addPositional(parameters("POEM", "0..*", Path.class, value -> poemFiles = value,
                "poem files to serve; the bundled samples ecstasy.txt, science.txt, fascination.txt "
                        + "and alla_sera.txt need no file (default: ecstasy.txt)").build());
        Cli.addStandardHelpOptions(spec);
    }

    /** This command, as picocli declares it. */
    public CommandSpec spec() {
        return spec;
    }

    @Override
    public Integer call() {
        Pace pace = pace();
        Duration grace = service.grace();
        List<Poem> poems = new ArrayList<>();
        if (poemFiles.isEmpty()) {
            poems.add(Poem.bundled(Poem.DEFAULT));
        }
        for (Path file : poemFiles) {
            try {
                poems.add(Poem.readOnceForChildren(file));
            } catch (Poem.PoemNotReadable e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
        }
        List<ServerEndpoint> endpoints = service.endpoints(poems.size(), null, Endpoints.serverDefaults(DEFAULT_PORT));
        service.requestsPerChild(concurrency);
        List<Serving.Start> servers = new ArrayList<>();
        for (int i = 0; i < poems.size(); i++) {
            servers.add(start(poems.get(i), endpoints.get(i), pace, grace));
        }
        return service.serve(servers);
    }

    private Serving.Start start(Poem poem, ServerEndpoint endpoint, Pace pace, Duration grace) {
        ServiceHandlers poemService = new ServiceHandlers(poem.name(), () -> new PoemHandler(poem, pace), null,
                () -> new PoetryServer(poem, pace, grace), null);
        // On the reactor every poem is served by the same event loops, as several services of one Twisted process.
        return new Serving.Start(poem.name(), () -> Servers.start(poemService, endpoint, concurrency, service),
                poem.size() + " bytes, " + pace + ", concurrency " + concurrency, concurrency == ConcurrencyMode.FORKING);
    }

    private Pace pace() {
        if (delay == null && numBytes == null) {
            return Pace.FAST;
        }
        if (numBytes != null && numBytes < 1) {
            throw new ParameterException(spec.commandLine(), "--num-bytes must be at least 1, not " + numBytes);
        }
        return Pace.slow(numBytes, delay == null ? null : Durations.seconds(spec.commandLine(), "--delay", delay));
    }
}
