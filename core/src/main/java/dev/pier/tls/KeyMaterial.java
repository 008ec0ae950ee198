package dev.pier.tls;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a private key and its certificate chain come from: PEM files, or a PKCS#12 keystore. Nothing is read until
 * a {@link TlsServer} or {@link TlsClient} is loaded.
 *
 * <pre>{@code
 * KeyMaterial pem = KeyMaterial.pem(Path.of("key.pem"), Path.of("cert.pem"));          // chain inside cert.pem
 * KeyMaterial split = KeyMaterial.pem(Path.of("key.pem"), Path.of("cert.pem"), Path.of("chain.pem"));
 * KeyMaterial p12 = KeyMaterial.pkcs12(Path.of("server.p12"), "secret".toCharArray());
 * }</pre>
 */
public sealed interface KeyMaterial {

    /**
     * A private key in PEM ({@code BEGIN PRIVATE KEY}, {@code BEGIN RSA PRIVATE KEY} or {@code BEGIN EC PRIVATE KEY},
     * unencrypted) and the certificate chain, leaf first, in {@code certificates} then {@code chain} (may be null).
     * The key file may hold the certificates too, and then {@code certificates} may name the same file.
     */
    record PemFiles(Path privateKey, Path certificates, Path chain) implements KeyMaterial {
        public PemFiles {
            Objects.requireNonNull(privateKey, "privateKey");
            Objects.requireNonNull(certificates, "certificates");
        }
    }

    /** A PKCS#12 keystore holding one private key entry (the first one found is used). */
    record Pkcs12File(Path keystore, char[] password) implements KeyMaterial {
        public Pkcs12File {
            Objects.requireNonNull(keystore, "keystore");
            password = password == null ? new char[0] : password.clone();
        }

        @Override
        public char[] password() {
            return password.clone();
        }
    }

    /** A key and a certificate file that holds the whole chain, leaf first. */
    static KeyMaterial pem(Path privateKey, Path certificates) {
        return new PemFiles(privateKey, certificates, null);
    }

    /** A key, a leaf certificate file and a file with the rest of the chain. */
    static KeyMaterial pem(Path privateKey, Path certificates, Path chain) {
        return new PemFiles(privateKey, certificates, Objects.requireNonNull(chain, "chain"));
    }

    /** One PEM file holding the key and the chain, leaf first. */
    static KeyMaterial pem(Path keyAndChain) {
        return new PemFiles(keyAndChain, keyAndChain, null);
    }

    /** A PKCS#12 keystore and its password. */
    static KeyMaterial pkcs12(Path keystore, char[] password) {
        return new Pkcs12File(keystore, password);
    }
}
