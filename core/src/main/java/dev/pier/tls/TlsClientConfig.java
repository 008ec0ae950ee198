package dev.pier.tls;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a TLS client needs: the roots it trusts (the JDK's trust store unless told), optionally its own certificate
 * for servers that ask for one, the ALPN protocols it offers and how long a handshake may take. The server's host
 * name is always verified against its certificate. Load it with {@link TlsClient#load}.
 *
 * <pre>{@code
 * TlsClient client = TlsClient.load(TlsClientConfig.defaults()
 *         .withTrustRoots(Path.of("internal-ca.pem"))
 *         .withIdentity(KeyMaterial.pem(Path.of("client-key.pem"), Path.of("client-cert.pem")))
 *         .withAlpn("h2"));
 * }</pre>
 *
 * @param trustRoots       PEM CA certificates to trust instead of the JDK's trust store (null: the JDK's)
 * @param identity         the key and chain sent to servers that ask for a client certificate (may be null)
 * @param alpn             the ALPN protocols offered, most preferred first; empty for no ALPN
 * @param handshakeTimeout how long a handshake may take before the connection is aborted
 */
public record TlsClientConfig(Path trustRoots, KeyMaterial identity, List<String> alpn, Duration handshakeTimeout) {

    public TlsClientConfig {
        alpn = List.copyOf(alpn);
        Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
        if (handshakeTimeout.isNegative()) {
            throw new IllegalArgumentException("negative handshake timeout " + handshakeTimeout);
        }
    }

    /** Trusts the JDK's trust store, sends no certificate, offers no ALPN. */
    public static TlsClientConfig defaults() {
        return new TlsClientConfig(null, null, List.of(), TlsServerConfig.DEFAULT_HANDSHAKE_TIMEOUT);
    }

    /** Trusts only the CA certificates in {@code caPem}. */
    public TlsClientConfig withTrustRoots(Path caPem) {
        return new TlsClientConfig(Objects.requireNonNull(caPem, "caPem"), identity, alpn, handshakeTimeout);
    }

    /** Sends this certificate to servers that ask for one. */
    public TlsClientConfig withIdentity(KeyMaterial identity) {
        return new TlsClientConfig(trustRoots, Objects.requireNonNull(identity, "identity"), alpn, handshakeTimeout);
    }

    /** Offers these ALPN protocols, most preferred first. */
    public TlsClientConfig withAlpn(String... protocols) {
        return new TlsClientConfig(trustRoots, identity, List.of(protocols), handshakeTimeout);
    }

    /** Aborts connections whose handshake takes longer than {@code timeout} ({@link Duration#ZERO}: never). */
    public TlsClientConfig withHandshakeTimeout(Duration timeout) {
        return new TlsClientConfig(trustRoots, identity, alpn, timeout);
    }
}
