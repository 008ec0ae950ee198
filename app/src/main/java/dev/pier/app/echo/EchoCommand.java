package dev.pier.app.echo;

import dev.pier.app.Version;
import dev.pier.app.cli.ConcurrencyMode;
import dev.pier.app.cli.OptionChecks;
import dev.pier.app.cli.Servers;
import dev.pier.app.cli.Service;
import dev.pier.app.cli.Serving;
import dev.pier.app.cli.SocketKind;
import dev.pier.endpoint.ServerEndpoint;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code pier echo}: sends every byte (stream transports) or every datagram back to where it came from. */
@Command(name = "echo", mixinStandardHelpOptions = true, sortOptions = false, versionProvider = Version.class,
        description = {"Echo server: sends back every byte of a connection, or every datagram to its sender.",
                "Prints one line when ready; stops gracefully on SIGTERM or SIGINT."})
public final class EchoCommand implements Callable<Integer> {

    /** Echo in each model and on each kind of socket. */
    static final Service ECHO = new Service("echo", EchoHandler::new, DatagramEchoHandler::new,
            peer -> new EchoProtocol(), DatagramEchoProtocol::new);

    @Spec
    private CommandSpec spec;

    @Option(names = "--transport", paramLabel = "KIND", defaultValue = "tcp",
            description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
    private SocketKind transport;

    @Option(names = "--concurrency", paramLabel = "MODE", defaultValue = "virtual",
            description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
    private ConcurrencyMode concurrency;

    @Option(names = "--port", paramLabel = "N", defaultValue = "8007",
            description = "port for tcp and udp, 0 for any free port (default: ${DEFAULT-VALUE})")
    private int port;

    @Option(names = "--iface", paramLabel = "HOST", defaultValue = "127.0.0.1",
            description = "interface for tcp and udp (default: ${DEFAULT-VALUE})")
    private String iface;

    @Option(names = "--path", paramLabel = "PATH", defaultValue = "pier-echo.sock",
            description = "socket file for unix and unixgram (default: ${DEFAULT-VALUE})")
    private Path path;

    @Override
    public Integer call() {
        ServerEndpoint endpoint;
        try {
            endpoint = transport.endpoint(OptionChecks.iface(spec, iface), OptionChecks.port(spec, port), path);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), (transport.isUnixDomain() ? "--path: " : "")
                    + e.getMessage());
        }
        return Serving.untilStopped(ECHO.name(), () -> Servers.start(ECHO, endpoint, concurrency),
                spec.commandLine().getOut());
    }
}
