package dev.pier.tls;

import dev.pier.layer.LayerFactory;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;

/**
 * The client side of TLS: loads its trust roots and optional client certificate once, then makes layer factories
 * for the servers it talks to. Each connection's {@link TlsLayer} sends the server name (SNI, unless it is an IP
 * address) and checks the server's certificate chain and that the certificate is for that name.
 *
 * <pre>{@code
 * TlsClient tls = TlsClient.load(TlsClientConfig.defaults().withAlpn("http/1.1"));
 * LayerFactory layer = tls.layerFor("example.org");
 * reactor.connectTcp("example.org", 443, peer -> LayeredProtocol.wrap(new MyClient(), List.of(layer.newLayer(peer))));
 * }</pre>
 */
public final class TlsClient {

    private static final Pattern IP_LITERAL = Pattern.compile("[0-9.]+|.*:.*");

    private final TlsClientConfig config;
    private final SSLContext context;

    private TlsClient(TlsClientConfig config) {
        this.config = config;
        TrustManager[] trust = config.trustRoots() == null ? null
                : TlsServer.trustManagers(config.trustRoots(), "trust roots");
        KeyManager[] keys = config.identity() == null ? null : new KeyManager[] {
            new NamedKeyManager(Map.of(NamedKeyManager.DEFAULT, KeyFiles.identity(config.identity())))};
        try {
            context = SSLContext.getInstance("TLS");
            context.init(keys, trust, null);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot set up TLS: " + KeyFiles.oneLine(e));
        }
    }

    /**
     * Reads the trust roots and client certificate of {@code config}.
     *
     * @throws IllegalArgumentException with one line naming the file and the fix, if one cannot be used
     */
    public static TlsClient load(TlsClientConfig config) {
        return new TlsClient(Objects.requireNonNull(config, "config"));
    }

    /** The configuration this client was loaded from. */
    public TlsClientConfig config() {
        return config;
    }

    /**
     * Layers for connections to {@code serverName}: the name sent as SNI and that the server's certificate must
     * carry (a DNS name, or an IP address the certificate lists).
     */
    public LayerFactory layerFor(String serverName) {
        Objects.requireNonNull(serverName, "serverName");
        if (serverName.isBlank()) {
            throw new IllegalArgumentException("empty server name: give the host name the certificate names");
        }
        return peer -> newLayer(serverName, peer);
    }

    /** A new client-side TLS layer for {@code serverName}, for a connection to {@code peer}. */
    public TlsLayer newLayer(String serverName, SocketAddress peer) {
        int port = peer instanceof InetSocketAddress inet ? inet.getPort() : -1;
        // A client's failed handshake is its caller's to report: it fails the connection attempt.
        return new TlsLayer((address, now) -> newEngine(serverName, port), config.handshakeTimeout(),
                new TlsLayer.HandshakeOutcomes() {
                    @Override
                    public void completed() {
                    }

                    @Override
                    public void failed(String reason) {
                    }
                }, null);
    }

    private SSLEngine newEngine(String serverName, int port) {
        SSLEngine engine = context.createSSLEngine(serverName, port);
        engine.setUseClientMode(true);
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setProtocols(TlsServer.PROTOCOLS);
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        if (!IP_LITERAL.matcher(serverName).matches()) {
            parameters.setServerNames(List.of(new SNIHostName(serverName)));
        }
        if (!config.alpn().isEmpty()) {
            parameters.setApplicationProtocols(config.alpn().toArray(String[]::new));
        }
        engine.setSSLParameters(parameters);
        return engine;
    }

    @Override
    public String toString() {
        return "TLS client" + (config.trustRoots() == null ? "" : " trusting " + config.trustRoots());
    }
}
