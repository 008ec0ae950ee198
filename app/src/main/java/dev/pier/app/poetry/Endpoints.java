package dev.pier.app.poetry;

import dev.pier.app.cli.ServiceOptions;
import dev.pier.app.cli.SocketKind;
import dev.pier.endpoint.ClientEndpoint;
import dev.pier.endpoint.Endpoint;
import dev.pier.endpoint.TcpClientEndpoint;
import dev.pier.endpoint.TlsClientEndpoint;
import dev.pier.endpoint.UnixClientEndpoint;
import dev.pier.reactor.ClientFactory;
import dev.pier.reactor.Protocol;
import dev.pier.reactor.Reactor;

import java.util.EnumSet;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/** The poetry programs' endpoints: stream endpoints only (tcp and unix), since poems are streams. */
final class Endpoints {

    private Endpoints() {}

    /** Where a poetry server listens when told nothing: {@code port} on loopback; tcp or unix, as poems are streams. */
    static ServiceOptions.Defaults serverDefaults(int port) {
        return new ServiceOptions.Defaults(EnumSet.of(SocketKind.TCP, SocketKind.UNIX), port, null);
    }

    /**
     * A client description: {@code PORT}, {@code HOST:PORT}, {@code tcp:...}, {@code tls:...}, {@code unix:...}.
     * The files a {@code tls:} description names are read now, so a bad one is a usage error.
     */
    static ClientEndpoint client(CommandLine command, String description) {
        try {
            ClientEndpoint endpoint = Endpoint.parseClient(description);
            endpoint.layers();
            return endpoint;
        } catch (IllegalArgumentException e) {
            throw new ParameterException(command, e.getMessage());
        }
    }

    static CompletableFuture<Protocol> connect(Reactor reactor, ClientEndpoint endpoint, ClientFactory factory) {
        return reactor.connect(endpoint, factory);
    }

    /** How progress lines name a server: {@code 127.0.0.1:10000}, or the socket file. */
    static String shortName(ClientEndpoint endpoint) {
        return switch (endpoint) {
            case TcpClientEndpoint tcp -> hostAndPort(tcp);
            case TlsClientEndpoint tls -> hostAndPort(tls.tcp());
            case UnixClientEndpoint unix -> unix.path().toString();
        };
    }

    private static String hostAndPort(TcpClientEndpoint tcp) {
        return (tcp.host().contains(":") ? "[" + tcp.host() + "]" : tcp.host()) + ":" + tcp.port();
    }
}
