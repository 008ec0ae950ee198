package dev.pier.app.poetry;

import dev.pier.endpoint.ServerEndpoint;
import dev.pier.endpoint.TcpEndpoint;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** Where a poetry server listens: {@code --listen ENDPOINT}, or the shorthand {@code --port N --iface HOST}. */
final class ListenOptions {

    @Option(names = "--listen", paramLabel = "ENDPOINT",
            description = "where to listen: tcp:PORT:interface=HOST (without interface=: every interface) "
                    + "or unix:PATH")
    List<String> listen = new ArrayList<>();

    @Option(names = "--port", paramLabel = "N",
            description = "shorthand for --listen tcp:N:interface=HOST; 0 for any free port")
    Integer port;

    @Option(names = "--iface", paramLabel = "HOST", defaultValue = "127.0.0.1",
            description = "the interface for --port (default: ${DEFAULT-VALUE})")
    String iface;

    /**
     * One endpoint per service: the {@code --listen} ones in order, else consecutive ports from {@code --port} (or
     * from {@code defaultPort}) on {@code --iface}; port 0 stays 0 for every service, each getting a free port.
     */
    List<ServerEndpoint> endpoints(CommandLine command, int services, int defaultPort) {
        if (!listen.isEmpty()) {
            if (port != null) {
                throw new ParameterException(command, "give either --listen or --port, not both");
            }
            if (listen.size() != services) {
                throw new ParameterException(command, "--listen was given " + listen.size() + " time(s) for "
                        + services + (services == 1 ? " service" : " services") + ": give it once per poem");
            }
            return listen.stream().map(description -> Endpoints.server(command, description)).toList();
        }
        int first = port == null ? defaultPort : port;
        if (first < 0 || first > 65535 || (first > 0 && first + services - 1 > 65535)) {
            throw new ParameterException(command, "--port must be between 0 and 65535, not " + first);
        }
        List<ServerEndpoint> endpoints = new ArrayList<>();
        for (int i = 0; i < services; i++) {
            endpoints.add(new TcpEndpoint(iface, first == 0 ? 0 : first + i, TcpEndpoint.DEFAULT_BACKLOG));
        }
        return endpoints;
    }
}
