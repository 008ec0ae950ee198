package dev.pier.tls;

import dev.pier.layer.Layer;
import dev.pier.layer.LayerFactory;
import dev.pier.logging.RateLimitedLog;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * The server side of TLS, as a layer factory: each connection gets a {@link TlsLayer} in server mode. The keys are
 * read once, at {@link #load}; a handshake that starts at least a second after the last look checks whether the
 * files changed (modification time, size, file identity) and, if so, reads them again, so a renewed certificate is
 * used without a restart. Connections already open keep theirs. If the new files are broken, the old certificate
 * stays and one line is logged.
 *
 * <pre>{@code
 * TlsServer tls = TlsServer.load(TlsServerConfig.of(KeyMaterial.pem(Path.of("key.pem"), Path.of("fullchain.pem")))
 *         .withAlpn("http/1.1"));
 * reactor.listenTcp(8443, LayeredProtocol.wrap(factory, List.of(tls)));
 * }</pre>
 */
public final class TlsServer implements LayerFactory {

    static final Duration CHECK_INTERVAL = Duration.ofSeconds(1);
    static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private final TlsServerConfig config;
    private final System.Logger logger;
    // Peers cause these as often as they like (a port scanner, an HTTP client on the TLS port): at most one line
    // every ten seconds, with a count of the others.
    private final RateLimitedLog handshakeFailures;
    private final HandshakeSlots slots;
    private final LongAdder completedHandshakes = new LongAdder();
    private final LongAdder failedHandshakes = new LongAdder();
    private volatile Loaded loaded;
    private List<Stamp> failedStamps;
    private volatile long lastCheck;
    private volatile boolean checkedOnce;

    /** What was read from the files, and what the files looked like just before. */
    private record Loaded(SSLContext context, X509Certificate defaultCertificate, List<Stamp> stamps) {}

    /** What a file looked like: a change in any part means it was rewritten or replaced. */
    private record Stamp(Path path, Object fileKey, long modified, long size) {}

    private TlsServer(TlsServerConfig config, System.Logger logger) {
        this.config = config;
        this.logger = logger;
        this.handshakeFailures = RateLimitedLog.of(logger);
        this.slots = new HandshakeSlots(config.maxHandshakes());
        this.loaded = read(config);
    }

    /**
     * Reads the keys and certificates of {@code config}.
     *
     * @throws IllegalArgumentException with one line naming the file and the fix, if one cannot be used
     */
    public static TlsServer load(TlsServerConfig config) {
        return load(config, System.getLogger("dev.pier.tls"));
    }

    /** {@link #load(TlsServerConfig)}, reporting reloads to {@code logger}. */
    public static TlsServer load(TlsServerConfig config, System.Logger logger) {
        return new TlsServer(Objects.requireNonNull(config, "config"), Objects.requireNonNull(logger, "logger"));
    }

    /** The configuration this server was loaded from. */
    public TlsServerConfig config() {
        return config;
    }

    /** The leaf certificate that answers names without their own, as last loaded (null if there is none). */
    public X509Certificate certificate() {
        return loaded.defaultCertificate();
    }

    /** A new server-side TLS layer; its handshake starts when the connection is made. */
    @Override
    public TlsLayer newLayer(SocketAddress peer) {
        return new TlsLayer((address, now) -> newEngine(now), config.handshakeTimeout(),
                new TlsLayer.HandshakeOutcomes() {
                    @Override
                    public void completed() {
                        completedHandshakes.increment();
                    }

                    @Override
                    public void failed(String reason) {
                        failedHandshakes.increment();
                        handshakeFailures.log(Level.WARNING, "{0}", reason.startsWith("TLS handshake") ? reason
                                : "TLS handshake with " + peer + " failed: " + reason);
                    }
                }, slots);
    }

    /** Handshakes of this server's layers that completed. Safe from any thread, for a metric or a health check. */
    public long completedHandshakes() {
        return completedHandshakes.sum();
    }

    /**
     * Handshakes of this server's layers that failed: a client that speaks no TLS (a port scanner, plain HTTP), that
     * refused the certificate or sent none it was asked for, or that did not finish within the handshake timeout.
     * The same ones the rate-limited warnings are about. Safe from any thread.
     */
    public long failedHandshakes() {
        return failedHandshakes.sum();
    }

    private SSLEngine newEngine(long nanoTime) {
        SSLEngine engine = context(nanoTime).createSSLEngine();
        engine.setUseClientMode(false);
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setProtocols(PROTOCOLS);
        parameters.setNeedClientAuth(config.clientCa() != null);
        if (!config.alpn().isEmpty()) {
            parameters.setApplicationProtocols(config.alpn().toArray(String[]::new));
        }
        engine.setSSLParameters(parameters);
        return engine;
    }

    /**
     * The current context, read again first if a second has passed and the files changed. Handshakes on several
     * loops meet on the lock only when a look is due.
     */
    private SSLContext context(long now) {
        if (checkDue(now)) {
            synchronized (this) {
                if (checkDue(now)) {
                    lastCheck = now;
                    checkedOnce = true;
                    reloadIfChanged();
                }
            }
        }
        return loaded.context();
    }

    private boolean checkDue(long now) {
        return !checkedOnce || Math.abs(now - lastCheck) >= CHECK_INTERVAL.toNanos();
    }

    private void reloadIfChanged() {
        List<Stamp> stamps = stamps(config);
        if (stamps.equals(loaded.stamps()) || stamps.equals(failedStamps)) {
            return;
        }
        try {
            loaded = read(config);
            failedStamps = null;
            logger.log(Level.INFO, "TLS certificates reloaded: " + describe(loaded.defaultCertificate()));
        } catch (RuntimeException e) {
            failedStamps = stamps;   // one line per change, not one per handshake
            logger.log(Level.WARNING, "TLS certificates not reloaded, the previous ones stay in use: "
                    + (e instanceof IllegalArgumentException ? e.getMessage() : KeyFiles.oneLine(e)));
        }
    }

    private static String describe(X509Certificate certificate) {
        return certificate == null ? "no default certificate"
                : certificate.getSubjectX500Principal().getName() + " serial " + certificate.getSerialNumber()
                        .toString(16) + " until " + certificate.getNotAfter().toInstant();
    }

    // ---- reading

    private static Loaded read(TlsServerConfig config) {
        List<Stamp> stamps = stamps(config);
        Map<String, KeyFiles.Identity> keys = new LinkedHashMap<>();
        if (config.identity() != null) {
            keys.put(NamedKeyManager.DEFAULT, KeyFiles.identity(config.identity()));
        }
        if (config.sniDirectory() != null) {
            for (Map.Entry<String, Path> entry : sniFiles(config.sniDirectory()).entrySet()) {
                if (entry.getKey().equals(NamedKeyManager.DEFAULT) && keys.containsKey(NamedKeyManager.DEFAULT)) {
                    continue;   // the configured key wins over default.pem
                }
                keys.put(entry.getKey(), KeyFiles.identity(KeyMaterial.pem(entry.getValue())));
            }
            if (!keys.containsKey(NamedKeyManager.DEFAULT)) {
                throw new IllegalArgumentException("SNI directory '" + config.sniDirectory() + "' has no default.pem"
                        + " and no main key is configured; add default.pem to answer unknown names");
            }
        }
        TrustManager[] trust = null;
        if (config.clientCa() != null) {
            trust = trustManagers(config.clientCa(), "client CA certificates");
        }
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(new NamedKeyManager[] {new NamedKeyManager(keys)}, trust, null);
            return new Loaded(context, keys.get(NamedKeyManager.DEFAULT).chain()[0], stamps);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot set up TLS: " + KeyFiles.oneLine(e));
        }
    }

    /** Trust managers for the CA certificates in {@code pem}. */
    static TrustManager[] trustManagers(Path pem, String what) {
        List<X509Certificate> roots = KeyFiles.certificates(pem, what);
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (int i = 0; i < roots.size(); i++) {
                store.setCertificateEntry("ca-" + i, roots.get(i));
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            return factory.getTrustManagers();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("cannot use " + what + " '" + pem + "': " + KeyFiles.oneLine(e));
        }
    }

    /** {@code NAME.pem} files by lower-case NAME. */
    private static Map<String, Path> sniFiles(Path directory) {
        Map<String, Path> files = new TreeMap<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory, "*.pem")) {
            for (Path file : entries) {
                String name = file.getFileName().toString();
                files.put(name.substring(0, name.length() - 4).toLowerCase(Locale.ROOT), file);
            }
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("cannot read SNI directory '" + directory + "': no such directory;"
                    + " check the path");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read SNI directory '" + directory + "': "
                    + KeyFiles.oneLine(e) + "; check its permissions");
        }
        return files;
    }

    private static List<Stamp> stamps(TlsServerConfig config) {
        List<Path> paths = new ArrayList<>();
        switch (config.identity()) {
            case null -> { }
            case KeyMaterial.PemFiles pem -> {
                paths.add(pem.privateKey());
                paths.add(pem.certificates());
                if (pem.chain() != null) {
                    paths.add(pem.chain());
                }
            }
            case KeyMaterial.Pkcs12File p12 -> paths.add(p12.keystore());
        }
        if (config.clientCa() != null) {
            paths.add(config.clientCa());
        }
        if (config.sniDirectory() != null) {
            paths.add(config.sniDirectory());
            try {
                paths.addAll(sniFiles(config.sniDirectory()).values());
            } catch (IllegalArgumentException e) {
                // a missing directory is a change the reload reports
            }
        }
        return paths.stream().map(TlsServer::stamp).toList();
    }

    private static Stamp stamp(Path path) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
            return new Stamp(path, attributes.fileKey(), attributes.lastModifiedTime().toMillis() * 1_000_000
                    + attributes.lastModifiedTime().toInstant().getNano() % 1_000_000, attributes.size());
        } catch (IOException e) {
            return new Stamp(path, null, -1, -1);
        }
    }

    @Override
    public String toString() {
        return "TLS server " + describe(certificate()) + " " + Arrays.toString(PROTOCOLS);
    }
}
