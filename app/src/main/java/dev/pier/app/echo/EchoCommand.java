package dev.pier.app.echo;

import static dev.pier.app.cli.Options.option;

import dev.pier.app.cli.Cli;
import dev.pier.app.cli.ConcurrencyMode;
import dev.pier.app.cli.Servers;
import dev.pier.app.cli.ServiceHandlers;
import dev.pier.app.cli.ServiceOptions;
import dev.pier.app.cli.Serving;
import dev.pier.app.cli.SocketKind;
import dev.pier.endpoint.ServerEndpoint;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

/** {@code pier echo}: sends every byte (stream transports) or every datagram back to where it came from. */
public final class EchoCommand implements Callable<Integer> {

    /** Echo in each model and on each kind of socket. */
    static final ServiceHandlers ECHO = new ServiceHandlers("echo", EchoHandler::new, DatagramEchoHandler::new,
            () -> peer -> new EchoProtocol(), DatagramEchoProtocol::new);

    static final ServiceOptions.Defaults DEFAULTS =
            new ServiceOptions.Defaults(EnumSet.allOf(SocketKind.class), 8007, Path.of("pier-echo.sock"));

    private final CommandSpec spec = Cli.command(this, "echo");
    private final ServiceOptions service = new ServiceOptions();
    private SocketKind transport;
    private ConcurrencyMode concurrency;

    public EchoCommand() {
        spec.usageMessage().sortOptions(false).description(
                "Echo server: sends back every byte of a connection, or every datagram to its sender.",
                "Listens on tcp:8007:interface=127.0.0.1 unless told otherwise (--transport unix or unixgram: the "
                        + "socket file pier-echo.sock); prints 'Serving echo on ENDPOINT' when ready.",
                "On SIGTERM, SIGINT or SIGHUP stops accepting, lets connections finish (up to --grace seconds; a "
                        + "second signal stops at once), prints 'Stopped' and exits with status 0.")
                .footer("", "Exit status: 0 after a clean stop; 1 if serving failed (e.g. the port is in use); 2 for a "
                        + "bad command line.");
        spec.addOption(option("--transport", "KIND", SocketKind.class, value -> transport = value,
                "what --port or --path listen on: ${COMPLETION-CANDIDATES} (default: tcp, or unix with --path)")
                .build());
        spec.addOption(option("--concurrency", "MODE", ConcurrencyMode.class, value -> concurrency = value,
                "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})").defaultValue("virtual").build());
        spec.addMixin("service", service.mixinOf(spec));
        Cli.addStandardHelpOptions(spec);
    }

    /** This command, as picocli declares it. */
    public CommandSpec spec() {
        return spec;
    }

    @Override
    public Integer call() {
        ServerEndpoint endpoint = service.endpoints(1, transport, DEFAULTS).getFirst();
        service.requestsPerChild(concurrency);
        return service.serve(List.of(new Serving.Start(ECHO.name(),
                () -> Servers.start(ECHO, endpoint, concurrency, service), "",
                concurrency == ConcurrencyMode.FORKING)));
    }
}
