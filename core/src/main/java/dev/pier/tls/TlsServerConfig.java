package dev.pier.tls;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a TLS server needs: its key and certificate chain, and optionally the CA certificates that client
 * certificates must chain to (mutual TLS), a directory of per-name keys chosen by SNI, the ALPN protocols it speaks
 * (in preference order) and how long a handshake may take. Load it with {@link TlsServer#load}.
 *
 * <pre>{@code
 * TlsServerConfig config = TlsServerConfig.of(KeyMaterial.pem(Path.of("key.pem"), Path.of("fullchain.pem")))
 *         .withSniDirectory(Path.of("/etc/pier/certs"))   // example.org.pem, example.net.pem, ...
 *         .withAlpn("h2", "http/1.1")
 *         .withHandshakeTimeout(Duration.ofSeconds(5));
 * }</pre>
 *
 * @param identity         the key and chain that answer names without their own (may be null if the SNI directory
 *                         has a {@code default.pem})
 * @param clientCa         PEM CA certificates; when set, clients must present a certificate that chains to one
 * @param sniDirectory     a directory of {@code NAME.pem} files, each holding the key and chain for server name NAME
 * @param alpn             the ALPN protocols offered, most preferred first; empty for no ALPN
 * @param handshakeTimeout how long a handshake may take before the connection is aborted
 * @param maxHandshakes    how many handshakes run at once; more wait, unread
 */
public record TlsServerConfig(KeyMaterial identity, Path clientCa, Path sniDirectory, List<String> alpn,
        Duration handshakeTimeout, int maxHandshakes) {

    /** The handshake timeout unless told otherwise. */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

    /** Handshakes in progress at once unless told otherwise: enough to keep every core busy, no more. */
    public static final int DEFAULT_MAX_HANDSHAKES = 64 * Runtime.getRuntime().availableProcessors();

    public TlsServerConfig {
        if (identity == null && sniDirectory == null) {
            throw new IllegalArgumentException("a TLS server needs a key and certificate, or an SNI directory");
        }
        alpn = List.copyOf(alpn);
        Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
        if (maxHandshakes < 1) {
            throw new IllegalArgumentException("at least one handshake at a time, got " + maxHandshakes);
        }
        if (handshakeTimeout.isNegative()) {
            throw new IllegalArgumentException("negative handshake timeout " + handshakeTimeout);
        }
    }

    /** A server answering with {@code identity}, without client certificates, SNI directory or ALPN. */
    public static TlsServerConfig of(KeyMaterial identity) {
        return new TlsServerConfig(Objects.requireNonNull(identity, "identity"), null, null, List.of(),
                DEFAULT_HANDSHAKE_TIMEOUT, DEFAULT_MAX_HANDSHAKES);
    }

    /** A server whose keys all come from {@code sniDirectory}; its {@code default.pem} answers unknown names. */
    public static TlsServerConfig ofSniDirectory(Path sniDirectory) {
        return new TlsServerConfig(null, null, Objects.requireNonNull(sniDirectory, "sniDirectory"), List.of(),
                DEFAULT_HANDSHAKE_TIMEOUT, DEFAULT_MAX_HANDSHAKES);
    }

    /** Requires client certificates that chain to the CA certificates in {@code caPem}. */
    public TlsServerConfig withClientCa(Path caPem) {
        return new TlsServerConfig(identity, Objects.requireNonNull(caPem, "caPem"), sniDirectory, alpn,
                handshakeTimeout, maxHandshakes);
    }

    /** Chooses the key by the server name the client asks for, from {@code NAME.pem} files in {@code directory}. */
    public TlsServerConfig withSniDirectory(Path directory) {
        return new TlsServerConfig(identity, clientCa, Objects.requireNonNull(directory, "directory"), alpn,
                handshakeTimeout, maxHandshakes);
    }

    /** Offers these ALPN protocols, most preferred first. */
    public TlsServerConfig withAlpn(String... protocols) {
        return new TlsServerConfig(identity, clientCa, sniDirectory, List.of(protocols), handshakeTimeout,
                maxHandshakes);
    }

    /** Aborts connections whose handshake takes longer than {@code timeout} ({@link Duration#ZERO}: never). */
    public TlsServerConfig withHandshakeTimeout(Duration timeout) {
        return new TlsServerConfig(identity, clientCa, sniDirectory, alpn, timeout, maxHandshakes);
    }

    /**
     * Runs at most {@code max} handshakes at once; more new connections wait, unread, within their handshake
     * timeout, so a flood of them cannot starve the connections already up.
     */
    public TlsServerConfig withMaxHandshakes(int max) {
        return new TlsServerConfig(identity, clientCa, sniDirectory, alpn, handshakeTimeout, max);
    }
}
