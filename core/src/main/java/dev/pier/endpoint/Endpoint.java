package dev.pier.endpoint;

/**
 * Where a server listens or a client connects, written as a description string as in Twisted's
 * {@code serverFromString} / {@code clientFromString}: a type, then {@code :}-separated arguments, each positional or
 * {@code name=value}. A {@code :} or {@code =} inside a value is escaped with a backslash ({@code \:}), or an IPv6
 * address is put in brackets.
 *
 * <table>
 *   <caption>Descriptions</caption>
 *   <tr><th>server</th><th>client</th></tr>
 *   <tr><td>{@code tcp:8080:interface=127.0.0.1:backlog=50}, {@code tcp:port=8080},
 *           {@code tcp6:8080:interface=\:\:1}</td>
 *       <td>{@code tcp:host=example.com:port=80:timeout=5:bindAddress=10.0.0.2}, {@code tcp:example.com:80}</td></tr>
 *   <tr><td>{@code udp:8007:interface=127.0.0.1}</td><td></td></tr>
 *   <tr><td>{@code unix:/run/app.sock:mode=660:backlog=50}</td><td>{@code unix:path=/run/app.sock:timeout=2}</td></tr>
 *   <tr><td>{@code unixgram:/run/app.dgram}</td><td></td></tr>
 *   <tr><td>{@code systemd:domain=INET:index=0}, {@code systemd:domain=UNIX:name=api} (a socket systemd passed)</td>
 *       <td></td></tr>
 *   <tr><td>{@code 8080} (all interfaces), {@code 127.0.0.1:8080}, {@code [::1]:8080}</td>
 *       <td>{@code 8080} (localhost), {@code example.com:80}, {@code [::1]:8080}</td></tr>
 * </table>
 *
 * <pre>{@code
 * TcpEndpoint endpoint = (TcpEndpoint) Endpoint.parseServer("tcp:0:interface=127.0.0.1");
 * ListeningPort port = reactor.listenTcp(endpoint.socketAddress(), factory, endpoint.backlog());
 * System.out.println("listening on " + endpoint.bound(port.address()).describe());
 * //   listening on tcp:40123:interface=127.0.0.1
 * }</pre>
 *
 * <p>{@link #describe()} (and {@code toString()}) gives the canonical description, which parses back to an equal
 * endpoint; options at their default value are left out. A malformed description throws an
 * {@link IllegalArgumentException} naming the bad part, e.g.
 * {@code bad endpoint 'tcp:80x': port '80x' is not a number from 0 to 65535}.
 */
public sealed interface Endpoint permits ServerEndpoint, ClientEndpoint {

    /**
     * Parses a server (listening) endpoint description.
     *
     * @throws IllegalArgumentException if the description is malformed, saying which part is wrong
     */
    static ServerEndpoint parseServer(String description) {
        return EndpointParser.parseServer(description);
    }

    /**
     * Parses a client (connecting) endpoint description.
     *
     * @throws IllegalArgumentException if the description is malformed, saying which part is wrong
     */
    static ClientEndpoint parseClient(String description) {
        return EndpointParser.parseClient(description);
    }

    /** The canonical description string, which parses back to an equal endpoint. */
    String describe();
}
