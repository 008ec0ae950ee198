package dev.pier.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Reads keys and certificates from PEM and PKCS#12 files. Every failure is an {@link IllegalArgumentException} with
 * one line that names the file and says how to fix it.
 */
final class KeyFiles {

    /** A private key and its chain, leaf first. */
    record Identity(PrivateKey key, X509Certificate[] chain) {}

    /** One PEM block: its label ({@code PRIVATE KEY}), its headers and its decoded bytes. */
    record Block(String label, List<String> headers, byte[] der) {}

    private static final String RSA = "1.2.840.113549.1.1.1";
    private static final String EC = "1.2.840.10045.2.1";
    private static final Map<String, String> ALGORITHMS = Map.of(RSA, "RSA", EC, "EC",
            "1.2.840.113549.1.1.10", "RSASSA-PSS", "1.3.101.112", "Ed25519", "1.3.101.113", "Ed448");

    private KeyFiles() {}

    /** Loads and checks a key with its chain: the key must match the leaf, and every certificate be valid now. */
    static Identity identity(KeyMaterial material) {
        return switch (material) {
            case KeyMaterial.PemFiles pem -> pemIdentity(pem);
            case KeyMaterial.Pkcs12File p12 -> pkcs12Identity(p12);
        };
    }

    private static Identity pemIdentity(KeyMaterial.PemFiles pem) {
        PrivateKey key = privateKey(pem.privateKey());
        List<X509Certificate> chain = new ArrayList<>(certificates(pem.certificates(), "certificate"));
        if (pem.chain() != null) {
            chain.addAll(certificates(pem.chain(), "certificate chain"));
        }
        X509Certificate[] array = chain.toArray(X509Certificate[]::new);
        checkMatch(key, array[0], pem.privateKey().toString(), pem.certificates().toString());
        checkValidity(array, pem.certificates().toString());
        return new Identity(key, array);
    }

    private static Identity pkcs12Identity(KeyMaterial.Pkcs12File p12) {
        String name = p12.keystore().toString();
        byte[] bytes = read(p12.keystore(), "keystore");
        char[] password = p12.password();
        KeyStore store;
        try {
            store = KeyStore.getInstance("PKCS12");
            store.load(new ByteArrayInputStream(bytes), password);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot open keystore '" + name + "': wrong password or not a PKCS#12"
                    + " file; check it with 'openssl pkcs12 -info -noout -in " + name + "'");
        }
        try {
            for (String alias : Collections.list(store.aliases())) {
                if (store.isKeyEntry(alias)
                        && store.getKey(alias, password) instanceof PrivateKey key) {
                    var certs = store.getCertificateChain(alias);
                    X509Certificate[] chain = new X509Certificate[certs.length];
                    for (int i = 0; i < certs.length; i++) {
                        chain[i] = (X509Certificate) certs[i];
                    }
                    checkValidity(chain, name);
                    return new Identity(key, chain);
                }
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot read the key in keystore '" + name + "': " + oneLine(e)
                    + "; export it again with 'openssl pkcs12 -export'");
        }
        throw new IllegalArgumentException("keystore '" + name + "' holds no private key; create it with"
                + " 'openssl pkcs12 -export -inkey key.pem -in cert.pem -out " + name + "'");
    }

    // ---- private keys

    /** The one private key in {@code file}. */
    static PrivateKey privateKey(Path file) {
        String name = file.toString();
        String prefix = "cannot read private key '" + name + "': ";
        List<Block> blocks = blocks(file, "private key");
        for (Block block : blocks) {
            boolean encrypted = block.label().equals("ENCRYPTED PRIVATE KEY")
                    || block.headers().stream().anyMatch(h -> h.startsWith("Proc-Type:") && h.contains("ENCRYPTED"));
            if (encrypted) {
                throw new IllegalArgumentException(prefix + "it is encrypted; decrypt it with 'openssl pkey -in "
                        + name + " -out plain.pem'");
            }
        }
        for (Block block : blocks) {
            try {
                switch (block.label()) {
                    case "PRIVATE KEY":
                        return pkcs8(block.der());
                    case "RSA PRIVATE KEY":
                        return pkcs8(pkcs1ToPkcs8(block.der()));
                    case "EC PRIVATE KEY":
                        return pkcs8(sec1ToPkcs8(block.der()));
                    default:
                        break;
                }
            } catch (IllegalStateException | GeneralSecurityException e) {
                throw new IllegalArgumentException(prefix + "damaged or unsupported " + block.label() + " ("
                        + oneLine(e) + "); convert it with 'openssl pkey -in " + name + " -out pkcs8.pem'");
            }
        }
        throw new IllegalArgumentException(prefix + "no private key in it (found " + labels(blocks)
                + "); expected '-----BEGIN PRIVATE KEY-----'");
    }

    private static PrivateKey pkcs8(byte[] der) throws GeneralSecurityException {
        Der info = Der.inside(new Der(der).next(Der.SEQUENCE));
        info.next(Der.INTEGER);
        Der algorithmId = Der.inside(info.next(Der.SEQUENCE));
        String oid = Der.oid(algorithmId.next(Der.OID).content());
        String algorithm = ALGORITHMS.get(oid);
        if (algorithm == null) {
            throw new GeneralSecurityException("key algorithm " + oid + " is not supported");
        }
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
    }

    /** PrivateKeyInfo { 0, { rsaEncryption, NULL }, OCTET STRING RSAPrivateKey }. */
    private static byte[] pkcs1ToPkcs8(byte[] pkcs1) {
        Der.inside(new Der(pkcs1).next(Der.SEQUENCE)).next(Der.INTEGER);   // fails early on garbage
        byte[] algorithm = Der.encode(Der.SEQUENCE, oid(RSA), Der.encode(Der.NULL));
        return Der.encode(Der.SEQUENCE, Der.encode(Der.INTEGER, new byte[] {0}), algorithm,
                Der.encode(Der.OCTET_STRING, pkcs1));
    }

    /**
     * PrivateKeyInfo { 0, { ecPublicKey, curve }, OCTET STRING ECPrivateKey }: the curve is read from the SEC1
     * key's optional [0] parameters, which OpenSSL always writes.
     */
    private static byte[] sec1ToPkcs8(byte[] sec1) {
        Der key = Der.inside(new Der(sec1).next(Der.SEQUENCE));
        key.next(Der.INTEGER);
        key.next(Der.OCTET_STRING);
        byte[] curve = null;
        while (key.hasMore()) {
            Der.Element element = key.next();
            if (element.tag() == Der.CONTEXT_0) {
                curve = Der.encode(Der.inside(element).next(Der.OID));
            }
        }
        if (curve == null) {
            throw new IllegalStateException("the key does not name its curve");
        }
        byte[] algorithm = Der.encode(Der.SEQUENCE, oid(EC), curve);
        return Der.encode(Der.SEQUENCE, Der.encode(Der.INTEGER, new byte[] {0}), algorithm,
                Der.encode(Der.OCTET_STRING, sec1));
    }

    private static byte[] oid(String dotted) {
        String[] parts = dotted.split("\\.");
        var out = new java.io.ByteArrayOutputStream();
        out.write(Integer.parseInt(parts[0]) * 40 + Integer.parseInt(parts[1]));
        for (int i = 2; i < parts.length; i++) {
            long value = Long.parseLong(parts[i]);
            int groups = Math.max(1, (64 - Long.numberOfLeadingZeros(value) + 6) / 7);
            for (int g = groups - 1; g >= 0; g--) {
                int seven = (int) (value >>> (7 * g)) & 0x7F;
                out.write(g == 0 ? seven : seven | 0x80);
            }
        }
        return Der.encode(Der.OID, out.toByteArray());
    }

    // ---- certificates

    /** The certificates in {@code file}, in order; at least one. */
    static List<X509Certificate> certificates(Path file, String what) {
        String name = file.toString();
        List<Block> blocks = blocks(file, what);
        List<X509Certificate> certificates = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (Block block : blocks) {
                if (block.label().equals("CERTIFICATE")) {
                    certificates.add((X509Certificate) factory.generateCertificate(
                            new ByteArrayInputStream(block.der())));
                }
            }
        } catch (CertificateException e) {
            throw new IllegalArgumentException("cannot read " + what + " '" + name + "': a damaged certificate ("
                    + oneLine(e) + "); check it with 'openssl x509 -noout -text -in " + name + "'");
        }
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException("cannot read " + what + " '" + name + "': no certificate in it (found "
                    + labels(blocks) + "); expected '-----BEGIN CERTIFICATE-----'");
        }
        return certificates;
    }

    private static void checkMatch(PrivateKey key, X509Certificate leaf, String keyName, String certName) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "RSASSA-PSS" -> "RSASSA-PSS";
            default -> key.getAlgorithm();   // Ed25519, Ed448
        };
        boolean matches;
        try {
            byte[] probe = "does this key match its certificate".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            if (algorithm.equals("RSASSA-PSS")) {
                signer.setParameter(new java.security.spec.PSSParameterSpec("SHA-256", "MGF1",
                        java.security.spec.MGF1ParameterSpec.SHA256, 32, 1));
            }
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            if (algorithm.equals("RSASSA-PSS")) {
                verifier.setParameter(new java.security.spec.PSSParameterSpec("SHA-256", "MGF1",
                        java.security.spec.MGF1ParameterSpec.SHA256, 32, 1));
            }
            verifier.initVerify(leaf.getPublicKey());
            verifier.update(probe);
            matches = verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            matches = false;   // an RSA key against an EC certificate, say
        }
        if (!matches) {
            throw new IllegalArgumentException("private key '" + keyName + "' does not match certificate '" + certName
                    + "'; use the key the certificate was issued for (compare 'openssl x509 -noout -pubkey -in "
                    + certName + "' with 'openssl pkey -pubout -in " + keyName + "')");
        }
    }

    private static void checkValidity(X509Certificate[] chain, String name) {
        for (X509Certificate certificate : chain) {
            try {
                certificate.checkValidity();
            } catch (CertificateExpiredException e) {
                throw new IllegalArgumentException("certificate '" + subject(certificate) + "' in '" + name
                        + "' expired on " + certificate.getNotAfter().toInstant().atOffset(ZoneOffset.UTC)
                        + "; renew it");
            } catch (CertificateNotYetValidException e) {
                throw new IllegalArgumentException("certificate '" + subject(certificate) + "' in '" + name
                        + "' is not valid before " + certificate.getNotBefore().toInstant().atOffset(ZoneOffset.UTC)
                        + "; check the clock or wait");
            }
        }
    }

    private static String subject(X509Certificate certificate) {
        return certificate.getSubjectX500Principal().getName();
    }

    // ---- PEM

    /** The PEM blocks of {@code file}; at least one. */
    static List<Block> blocks(Path file, String what) {
        String name = file.toString();
        String text = new String(read(file, what), StandardCharsets.ISO_8859_1);
        List<Block> blocks = new ArrayList<>();
        String label = null;
        List<String> headers = new ArrayList<>();
        StringBuilder base64 = new StringBuilder();
        for (String raw : text.split("\r?\n|\r")) {
            String line = raw.strip();
            if (label == null) {
                if (line.startsWith("-----BEGIN ") && line.endsWith("-----")) {
                    label = line.substring(11, line.length() - 5);
                    headers = new ArrayList<>();
                    base64.setLength(0);
                }
            } else if (line.equals("-----END " + label + "-----")) {
                try {
                    blocks.add(new Block(label, headers, Base64.getMimeDecoder().decode(base64.toString())));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("cannot read " + what + " '" + name + "': the " + label
                            + " block is not valid base64; copy the file again");
                }
                label = null;
            } else if (line.contains(":")) {
                headers.add(line);
            } else {
                base64.append(line);
            }
        }
        if (blocks.isEmpty()) {
            String tool = what.contains("key") ? "pkey" : "x509";
            throw new IllegalArgumentException("cannot read " + what + " '" + name + "': not a PEM file (no"
                    + " '-----BEGIN ...-----' block); if it is DER, convert it with 'openssl " + tool
                    + " -inform DER -in " + name + " -out " + name + ".pem'");
        }
        return blocks;
    }

    static byte[] read(Path file, String what) {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readAllBytes();
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("cannot read " + what + " '" + file + "': no such file; check the path");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + what + " '" + file + "': " + oneLine(e)
                    + "; check the path and its permissions");
        }
    }

    private static String labels(List<Block> blocks) {
        return blocks.stream().map(Block::label).distinct().map(l -> "'" + l + "'").toList().toString();
    }

    static String oneLine(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return plainWords(message.replaceAll("\\s*[\r\n]+\\s*", " "));
    }

    /** The JDK's words for the usual handshake failures, said so that they name the fix and no Java class. */
    private static String plainWords(String message) {
        if (message.contains("PKIX path building failed") || message.contains("unable to find valid certification")) {
            return "the peer's certificate is not trusted: the CA that signed it is not a trusted one (a client "
                    + "takes it with trustRoots=CA.pem, a server with caCerts=CA.pem)";
        }
        if (message.contains("No subject alternative") || message.contains("No name matching")) {
            return "the peer's certificate does not name the host connected to (" + message.replaceAll(
                    ".*(?:matching|found) ", "") + "): connect by a name it lists, or give serverName=NAME";
        }
        if (message.contains("PKIX path validation failed") && message.contains("expired")) {
            return "the peer's certificate has expired";
        }
        return message.replaceAll("\\b(?:sun|java|javax)\\.[\\w.$]+Exception: ", "");
    }
}
