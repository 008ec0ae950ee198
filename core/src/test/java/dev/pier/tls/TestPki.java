package dev.pier.tls;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** Keys and certificates made with the {@code openssl} command in a test's directory. */
public final class TestPki {

    /** A certificate authority. */
    public record Ca(Path key, Path cert) {}

    /** A key (PKCS#8 PEM) and its certificate. */
    public record Leaf(Path key, Path cert, BigInteger serial) {}

    private static final AtomicLong SERIALS = new AtomicLong(System.nanoTime() & 0xFFFFFFFL);

    final Path dir;

    public TestPki(Path dir) {
        this.dir = dir;
    }

    /** Skips the test, loudly, where there is no openssl to make certificates with. */
    public static void assumeOpenssl() {
        assumeTrue(commandWorks("openssl", "version"),
                "SKIPPED: the 'openssl' command is missing, so no test certificates can be made");
    }

    static boolean commandWorks(String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** A new CA with an RSA key. */
    public Ca ca(String name) {
        Path key = key(name + "-ca", "rsa");
        Path cert = dir.resolve(name + "-ca.pem");
        openssl("req", "-x509", "-new", "-key", key.toString(), "-subj", "/CN=" + name + " CA", "-days", "30",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
                "-out", cert.toString());
        return new Ca(key, cert);
    }

    /** A leaf certificate for {@code name}, signed by {@code ca}, with a {@code "rsa"} or {@code "ec"} key. */
    public Leaf leaf(Ca ca, String name, String keyType, String subjectAltNames) {
        return leaf(ca, name, keyType, subjectAltNames, name);
    }

    /** {@link #leaf(Ca, String, String, String)} written to files named after {@code fileName}. */
    Leaf leaf(Ca ca, String name, String keyType, String subjectAltNames, String fileName) {
        Path key = key(fileName, keyType);
        Path csr = dir.resolve(fileName + ".csr");
        Path extensions = dir.resolve(fileName + ".ext");
        Path cert = dir.resolve(fileName + ".pem");
        BigInteger serial = BigInteger.valueOf(SERIALS.incrementAndGet());
        openssl("req", "-new", "-key", key.toString(), "-subj", "/CN=" + name, "-out", csr.toString());
        write(extensions, "subjectAltName=" + subjectAltNames + "\nbasicConstraints=CA:FALSE\n"
                + "keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\n");
        openssl("x509", "-req", "-in", csr.toString(), "-CA", ca.cert().toString(), "-CAkey", ca.key().toString(),
                "-set_serial", serial.toString(), "-days", "30", "-extfile", extensions.toString(),
                "-out", cert.toString());
        return new Leaf(key, cert, serial);
    }

    /** A new PKCS#8 key, {@code "rsa"} or {@code "ec"} (P-256). */
    Path key(String name, String keyType) {
        Path key = dir.resolve(name + ".key");
        if (keyType.equals("rsa")) {
            openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key.toString());
        } else {
            openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key.toString());
        }
        return key;
    }

    /** The key in its traditional form: PKCS#1 for RSA, SEC1 for EC. */
    Path traditional(Path key) {
        Path out = dir.resolve(key.getFileName() + ".traditional");
        openssl("pkey", "-in", key.toString(), "-traditional", "-out", out.toString());
        return out;
    }

    /** The key encrypted with a password, in PKCS#8 or traditional form. */
    Path encrypted(Path key, boolean traditional) {
        Path out = dir.resolve(key.getFileName() + (traditional ? ".enc-traditional" : ".enc"));
        List<String> command = new ArrayList<>(List.of("pkey", "-in", key.toString(), "-aes256", "-passout",
                "pass:secret", "-out", out.toString()));
        if (traditional) {
            command.add("-traditional");
        }
        openssl(command.toArray(String[]::new));
        return out;
    }

    /** The key and certificate as a PKCS#12 keystore. */
    Path pkcs12(Leaf leaf, String password) {
        Path out = dir.resolve(leaf.cert().getFileName() + ".p12");
        openssl("pkcs12", "-export", "-inkey", leaf.key().toString(), "-in", leaf.cert().toString(),
                "-passout", "pass:" + password, "-out", out.toString());
        return out;
    }

    /** A self-signed certificate that expired in 2020, and its key. */
    Leaf expired(String name) {
        Path key = key(name, "rsa");
        Path csr = dir.resolve(name + ".csr");
        Path db = dir.resolve(name + "-db");
        Path config = dir.resolve(name + "-ca.cnf");
        Path cert = dir.resolve(name + ".pem");
        write(db.resolve("index.txt"), "");
        write(db.resolve("serial"), "01\n");
        write(config, "[ca]\ndefault_ca = old\n[old]\ndatabase = " + db.resolve("index.txt") + "\nnew_certs_dir = "
                + db + "\nserial = " + db.resolve("serial") + "\ndefault_md = sha256\npolicy = any\n"
                + "unique_subject = no\n[any]\ncommonName = supplied\n");
        openssl("req", "-new", "-key", key.toString(), "-subj", "/CN=" + name, "-out", csr.toString());
        openssl("ca", "-batch", "-config", config.toString(), "-selfsign", "-keyfile", key.toString(), "-in",
                csr.toString(), "-startdate", "20200101000000Z", "-enddate", "20200201000000Z", "-notext",
                "-out", cert.toString());
        return new Leaf(key, cert, BigInteger.ONE);
    }

    /** A client context that trusts the CA certificate in {@code caCert}, for JDK {@code SSLSocket} peers. */
    public static SSLContext trusting(Path caCert) {
        try (var in = Files.newInputStream(caCert)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    /** Concatenates files, as a key-and-chain PEM is made. */
    Path concat(String name, Path... files) {
        StringBuilder text = new StringBuilder();
        for (Path file : files) {
            text.append(read(file));
        }
        Path out = dir.resolve(name);
        write(out, text.toString());
        return out;
    }

    /** Replaces {@code target} with {@code source}'s content in one rename, as a renewal tool does. */
    static void replace(Path source, Path target) {
        try {
            Path temporary = target.resolveSibling(target.getFileName() + ".new");
            Files.copy(source, temporary, StandardCopyOption.REPLACE_EXISTING);
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static void write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private void openssl(String... arguments) {
        List<String> command = new ArrayList<>();
        command.add("openssl");
        command.addAll(List.of(arguments));
        try {
            Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " failed:\n" + output);
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
