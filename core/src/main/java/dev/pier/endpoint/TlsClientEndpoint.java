package dev.pier.endpoint;

import dev.pier.layer.LayerFactory;
import dev.pier.tls.KeyMaterial;
import dev.pier.tls.TlsClient;
import dev.pier.tls.TlsClientConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A TLS server to connect to, as in Twisted: {@code tls:host=HOST:port=PORT[:trustRoots=CA.pem]
 * [:certificate=CERT.pem:privateKey=KEY.pem][:serverName=NAME][:alpn=h2,http/1.1][:timeout=SECONDS]
 * [:bindAddress=LOCAL_HOST]}. Without {@code trustRoots}, the JDK's trust store decides; the server's certificate must
 * always name the host (or {@code serverName}, which is also sent as SNI).
 *
 * <pre>{@code
 * var server = (TlsClientEndpoint) Endpoint.parseClient("tls:host=localhost:port=10443:trustRoots=ca.pem");
 * reactor.connectTcp(server.tcp().host(), server.tcp().port(), LayeredProtocol.wrap(factory, server.layers()));
 * }</pre>
 *
 * @param tcp     where to connect
 * @param options the TLS options as the description gives them, by name
 */
public record TlsClientEndpoint(TcpClientEndpoint tcp, Map<String, String> options) implements ClientEndpoint {

    static final List<String> OPTIONS = List.of("trustRoots", "certificate", "privateKey", "serverName", "alpn");

    public TlsClientEndpoint {
        Objects.requireNonNull(tcp, "tcp");
        Map<String, String> ordered = EndpointParser.inOrder(options, OPTIONS);
        if (ordered.containsKey("certificate") != ordered.containsKey("privateKey")) {
            throw new IllegalArgumentException("certificate= and privateKey= go together (a client certificate "
                    + "and its key)");
        }
        options = ordered;
    }

    @Override
    public Duration timeout() {
        return tcp.timeout();
    }

    /** The name the server's certificate must carry: {@code serverName}, else the host. */
    public String serverName() {
        return options.getOrDefault("serverName", tcp.host());
    }

    /**
     * The TLS layer, its trust roots and client certificate read now.
     *
     * @throws IllegalArgumentException with one line naming the file and the fix, if one cannot be used
     */
    @Override
    public List<LayerFactory> layers() {
        return List.of(TlsClient.load(config()).layerFor(serverName()));
    }

    /** What the options say, as the TLS layer takes it. */
    public TlsClientConfig config() {
        TlsClientConfig config = TlsClientConfig.defaults();
        if (options.containsKey("trustRoots")) {
            config = config.withTrustRoots(Path.of(options.get("trustRoots")));
        }
        if (options.containsKey("certificate")) {
            config = config.withIdentity(KeyMaterial.pem(Path.of(options.get("privateKey")),
                    Path.of(options.get("certificate"))));
        }
        if (options.containsKey("alpn")) {
            config = config.withAlpn(options.get("alpn").split(","));
        }
        return config;
    }

    @Override
    public String describe() {
        StringBuilder description = new StringBuilder("tls").append(tcp.describe().substring("tcp".length()));
        options.forEach((name, value) -> description.append(':').append(name).append('=')
                .append(EndpointParser.escape(value)));
        return description.toString();
    }

    @Override
    public String toString() {
        return describe();
    }
}
