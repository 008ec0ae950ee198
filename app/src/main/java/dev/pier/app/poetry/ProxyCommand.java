package dev.pier.app.poetry;

import static dev.pier.app.cli.Options.option;
import static dev.pier.app.cli.Options.parameter;

import dev.pier.app.cli.Cli;
import dev.pier.app.cli.ConcurrencyMode;
import dev.pier.app.cli.Servers;
import dev.pier.app.cli.ServiceHandlers;
import dev.pier.app.cli.ServiceOptions;
import dev.pier.app.cli.Serving;
import dev.pier.endpoint.ClientEndpoint;
import dev.pier.endpoint.ServerEndpoint;
import dev.pier.reactor.Protocol;
import dev.pier.reactor.Reactor;
import dev.pier.reactor.ReactorGroup;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Model.CommandSpec;

/** {@code pier poetry proxy}: the tutorial's caching poetry proxy. */
public final class ProxyCommand implements Callable<Integer> {

    static final int DEFAULT_PORT = 10002;

    private final CommandSpec spec = Cli.command(this, "proxy");
    private final ServiceOptions service = new ServiceOptions();
    private Double timeoutSeconds;
    private String maxSize;
    private String upstream;

    public ProxyCommand() {
        spec.usageMessage().sortOptions(false).description(
                "Caching poetry proxy: a client gets the cached poem if there is one; otherwise the poem is fetched "
                        + "from UPSTREAM (once, however many clients ask at once), cached and sent to every waiting "
                        + "client.",
                "If every waiting client leaves before the poem came, the upstream fetch is cancelled. A fetch that "
                        + "fails (unreachable, cut short, empty, timed out, over --max-size) is not cached: its "
                        + "waiting clients are reset.",
                "Listens on tcp:10002:interface=127.0.0.1 unless told otherwise; prints 'Serving proxy on ENDPOINT' "
                        + "when ready; on SIGTERM, SIGINT or SIGHUP drains (up to --grace seconds; a second signal "
                        + "stops at once), prints 'Stopped' and exits with status 0.")
                .footer("", "UPSTREAM: PORT (on localhost), HOST:PORT, tcp:host=HOST:port=PORT, "
                        + "tls:host=HOST:port=PORT[:trustRoots=CA.pem] or unix:path=PATH.",
                        "SIZE: bytes, or K, M or G (binary units) as in 64M; at most 1G.",
                        "Exit status: 0 after a clean stop on SIGTERM, SIGINT or SIGHUP; 1 if serving failed; 2 for a "
                                + "bad command line.");
        spec.addOption(option("--timeout", "SECONDS", Double.class, value -> timeoutSeconds = value,
                "give up on an upstream fetch after SECONDS (default: ${DEFAULT-VALUE})").defaultValue("30").build());
        spec.addOption(option("--max-size", "SIZE", String.class, value -> maxSize = value,
                "give up on an upstream poem larger than SIZE (default: ${DEFAULT-VALUE})").defaultValue("64M")
                .build());
        spec.addMixin("service", service.mixinOf(spec));
        spec.addPositional(parameter("UPSTREAM", String.class, value -> upstream = value,
                "the poetry server to fetch the poem from").build());
        Cli.addStandardHelpOptions(spec);
    }

    /** This command, as picocli declares it. */
    public CommandSpec spec() {
        return spec;
    }

    @Override
    public Integer call() {
        ServerEndpoint endpoint = service.endpoints(1, null, Endpoints.serverDefaults(DEFAULT_PORT)).getFirst();
        service.requestsPerChild(ConcurrencyMode.REACTOR);   // refused: this serves on the reactor only
        ClientEndpoint source = Endpoints.client(spec.commandLine(), upstream);
        Duration timeout = Durations.seconds(spec.commandLine(), "--timeout", timeoutSeconds);
        int limit = Sizes.bytes(spec.commandLine(), "--max-size", maxSize);
        Duration grace = service.grace();
        return service.serve(List.of(new Serving.Start("proxy", () -> {
            // One loop serves and fetches, so that the proxy's cache is only ever used by one thread.
            ReactorGroup loops = service.loops();
            Reactor reactor = loops.reactors().getFirst();
            PoetryProxy proxy = new PoetryProxy(() -> {
                PoemFetch fetch = new PoemFetch(PoemFetch.Progress.NONE, limit);
                CompletableFuture<Protocol> connecting = Endpoints.connect(reactor, source, fetch);
                fetch.onAbandon(() -> connecting.cancel(false));
                fetch.timeout(timeout, reactor);
                return fetch.poem();
            }, grace);
            return Servers.startOnFirstLoop(loops, new ServiceHandlers("proxy", null, null, () -> proxy, null),
                    endpoint);
        })));
    }
}
