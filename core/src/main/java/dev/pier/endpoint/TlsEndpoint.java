package dev.pier.endpoint;

import dev.pier.layer.LayerFactory;
import dev.pier.tls.KeyMaterial;
import dev.pier.tls.TlsServer;
import dev.pier.tls.TlsServerConfig;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A TLS server on TCP, described as in Twisted:
 * {@code ssl:PORT:privateKey=KEY.pem[:certKey=CERT.pem][:extraCertChain=CHAIN.pem][:interface=HOST][:backlog=N]}
 * (without {@code certKey}, the certificate chain is in the key's file), and Pier's {@code caCerts=CA.pem} (clients
 * must present a certificate from that CA: mutual TLS), {@code certDir=DIR} (SNI: {@code NAME.pem} per server name,
 * key and chain; the {@code privateKey} file or {@code DIR/default.pem} answers other names),
 * {@code alpn=h2,http/1.1}, and {@code keystore=FILE.p12:password=env:VAR} (or {@code password=file:PATH}) instead
 * of PEM files. Files are read when the server starts, and read again when they change.
 *
 * <pre>{@code
 * TlsEndpoint tls = (TlsEndpoint) Endpoint.parseServer("ssl:8443:privateKey=key.pem:certKey=cert.pem");
 * reactor.listenTcp(tls.tcp(), LayeredProtocol.wrap(factory, tls.layers()));
 * }</pre>
 *
 * @param tcp     where to listen
 * @param options the TLS options as the description gives them, by name
 */
public record TlsEndpoint(TcpEndpoint tcp, Map<String, String> options) implements ServerEndpoint {

    /** The TLS options, in the order descriptions list them. */
    static final List<String> OPTIONS = List.of("privateKey", "certKey", "extraCertChain", "caCerts", "certDir",
            "alpn", "keystore", "password");

    public TlsEndpoint {
        Objects.requireNonNull(tcp, "tcp");
        Map<String, String> ordered = EndpointParser.inOrder(options, OPTIONS);
        if (!ordered.containsKey("privateKey") && !ordered.containsKey("keystore")
                && !ordered.containsKey("certDir")) {
            throw new IllegalArgumentException("ssl needs privateKey=KEY.pem (or keystore=FILE.p12, or certDir=DIR)");
        }
        if (ordered.containsKey("keystore") != ordered.containsKey("password")) {
            throw new IllegalArgumentException("keystore= and password= go together");
        }
        if (ordered.containsKey("password")) {
            Secrets.checkSource(ordered.get("password"));
        }
        options = ordered;
    }

    @Override
    public SocketAddress socketAddress() {
        return tcp.socketAddress();
    }

    @Override
    public TlsEndpoint bound(SocketAddress boundAddress) {
        return new TlsEndpoint(tcp.bound(boundAddress), options);
    }

    @Override
    public SocketEndpoint socket() {
        return tcp;
    }

    /**
     * The TLS layer, its key and certificates read now.
     *
     * @throws IllegalArgumentException with one line naming the file and the fix, if one cannot be used
     */
    @Override
    public List<LayerFactory> layers() {
        try {
            return List.of(TlsServer.load(config()));
        } catch (IllegalArgumentException e) {
            if (options.containsKey("privateKey") && !options.containsKey("certKey")
                    && e.getMessage().contains("no certificate in it")) {
                throw new IllegalArgumentException(e.getMessage() + "; or give the certificate with certKey=CERT.pem");
            }
            throw e;
        }
    }

    /** What the options say, as the TLS layer takes it. */
    public TlsServerConfig config() {
        KeyMaterial identity = null;
        if (options.containsKey("keystore")) {
            identity = KeyMaterial.pkcs12(Path.of(options.get("keystore")),
                    Secrets.read(options.get("password")).toCharArray());
        } else if (options.containsKey("privateKey")) {
            Path key = Path.of(options.get("privateKey"));
            Path certificates = options.containsKey("certKey") ? Path.of(options.get("certKey")) : key;
            identity = options.containsKey("extraCertChain")
                    ? KeyMaterial.pem(key, certificates, Path.of(options.get("extraCertChain")))
                    : KeyMaterial.pem(key, certificates);
        }
        TlsServerConfig config = identity != null ? TlsServerConfig.of(identity)
                : TlsServerConfig.ofSniDirectory(Path.of(options.get("certDir")));
        if (identity != null && options.containsKey("certDir")) {
            config = config.withSniDirectory(Path.of(options.get("certDir")));
        }
        if (options.containsKey("caCerts")) {
            config = config.withClientCa(Path.of(options.get("caCerts")));
        }
        if (options.containsKey("alpn")) {
            config = config.withAlpn(options.get("alpn").split(","));
        }
        return config;
    }

    @Override
    public String describe() {
        StringBuilder description = new StringBuilder("ssl:").append(tcp.port());
        if (!tcp.host().isEmpty()) {
            description.append(":interface=").append(EndpointParser.escape(tcp.host()));
        }
        if (tcp.backlog() != DEFAULT_BACKLOG) {
            description.append(":backlog=").append(tcp.backlog());
        }
        options.forEach((name, value) -> {
            // password=env:VAR keeps its source's ':' as written: the one option whose value has a prefix.
            int source = name.equals("password") ? value.indexOf(':') + 1 : 0;
            description.append(':').append(name).append('=').append(value, 0, source)
                    .append(EndpointParser.escape(value.substring(source)));
        });
        return description.toString();
    }

    @Override
    public String toString() {
        return describe();
    }
}
