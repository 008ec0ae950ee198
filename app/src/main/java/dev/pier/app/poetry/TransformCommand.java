package dev.pier.app.poetry;

import dev.pier.app.cli.Cli;
import dev.pier.app.cli.ConcurrencyMode;
import dev.pier.app.cli.Servers;
import dev.pier.app.cli.ServiceHandlers;
import dev.pier.app.cli.ServiceOptions;
import dev.pier.app.cli.Serving;
import dev.pier.endpoint.ServerEndpoint;
import dev.pier.protocols.policies.Policies;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

/** {@code pier poetry transform}: the tutorial's netstring transform server. */
public final class TransformCommand implements Callable<Integer> {

    static final int DEFAULT_PORT = 10001;

    /** A client that sends nothing for this long is disconnected, so silent clients cannot pile up. */
    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);

    private final CommandSpec spec = Cli.command(this, "transform");
    private final ServiceOptions service = new ServiceOptions();

    public TransformCommand() {
        spec.usageMessage().sortOptions(false).description(
                "Transform server: a request is one netstring TRANSFORM.POEM (e.g. 27:cummingsify.HERE IS MY POEM,);",
                "the reply is one netstring with the transformed poem (15:here is my poem,), then the connection "
                        + "closes.",
                "An unknown transform, a request without '.', a poem that is not UTF-8 or input that is not a "
                        + "netstring (max 99999 bytes) is answered by closing without a reply.",
                "A client that sends nothing for 30 seconds is disconnected.",
                "Listens on tcp:10001:interface=127.0.0.1 unless told otherwise; prints 'Serving transform on "
                        + "ENDPOINT' when ready; on SIGTERM, SIGINT or SIGHUP drains (up to --grace seconds; a second "
                        + "signal stops at once), prints 'Stopped' and exits with status 0.",
                "",
                "Transforms:",
                "  cummingsify    lower-case the poem (the tutorial's transform)",
                "  reverse-lines  put the lines in reverse order",
                "  shout          upper-case the poem")
                .footer("", "Exit status: 0 after a clean stop on SIGTERM, SIGINT or SIGHUP; 1 if serving failed; 2 "
                        + "for a bad command line.");
        spec.addMixin("service", service.mixinOf(spec));
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
        ServiceHandlers transform = new ServiceHandlers("transform", null, null,
                () -> Policies.idleTimeout(new TransformServer(), IDLE_TIMEOUT), null);
        return service.serve(List.of(new Serving.Start(transform.name(),
                () -> Servers.start(transform, endpoint, ConcurrencyMode.REACTOR, service))));
    }
}
