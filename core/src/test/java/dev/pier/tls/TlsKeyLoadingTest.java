package dev.pier.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Keys and certificates in every form OpenSSL writes, and a one-line message for each way they can be wrong. */
class TlsKeyLoadingTest {

    @TempDir
    static Path dir;

    static TestPki pki;
    static TestPki.Ca ca;
    static TestPki.Leaf rsa;
    static TestPki.Leaf ec;

    @BeforeAll
    static void makeCertificates() {
        TestPki.assumeOpenssl();
        pki = new TestPki(dir);
        ca = pki.ca("load");
        rsa = pki.leaf(ca, "rsa.test", "rsa", "DNS:rsa.test");
        ec = pki.leaf(ca, "ec.test", "ec", "DNS:ec.test");
    }

    static void loadsAndHandshakes(KeyMaterial identity, String name) {
        MemoryTls tls = new MemoryTls(TlsServer.load(TlsServerConfig.of(identity)),
                TlsClient.load(TlsClientConfig.defaults().withTrustRoots(ca.cert())), name).pump();
        assertTrue(tls.client.made, "handshake with " + identity);
    }

    static String loadError(KeyMaterial identity) {
        String message = assertThrows(IllegalArgumentException.class,
                () -> TlsServer.load(TlsServerConfig.of(identity))).getMessage();
        assertTrue(!message.contains("\n"), "one line: " + message);
        return message;
    }

    @ParameterizedTest
    @ValueSource(strings = {"rsa", "ec"})
    void pkcs8AndTraditionalKeysLoad(String type) {
        TestPki.Leaf leaf = type.equals("rsa") ? rsa : ec;
        Path traditional = pki.traditional(leaf.key());
        String label = type.equals("rsa") ? "BEGIN RSA PRIVATE KEY" : "BEGIN EC PRIVATE KEY";
        assertTrue(TestPki.read(traditional).contains(label), "openssl wrote " + label);
        assertTrue(TestPki.read(leaf.key()).contains("BEGIN PRIVATE KEY"));
        loadsAndHandshakes(KeyMaterial.pem(leaf.key(), leaf.cert()), type + ".test");
        loadsAndHandshakes(KeyMaterial.pem(traditional, leaf.cert()), type + ".test");
    }

    @Test
    void aKeyAndChainInOneFileAndAChainInAnotherLoad() {
        loadsAndHandshakes(KeyMaterial.pem(pki.concat("both.pem", ec.key(), ec.cert(), ca.cert())), "ec.test");
        loadsAndHandshakes(KeyMaterial.pem(ec.key(), ec.cert(), ca.cert()), "ec.test");
    }

    @Test
    void aPkcs12KeystoreLoads() {
        loadsAndHandshakes(KeyMaterial.pkcs12(pki.pkcs12(rsa, "hunter2"), "hunter2".toCharArray()), "rsa.test");
    }

    @Test
    void aPkcs12KeystoreWithTheWrongPassword() {
        Path keystore = pki.pkcs12(ec, "right");
        assertEquals("cannot open keystore '" + keystore + "': wrong password or not a PKCS#12 file; check it with"
                + " 'openssl pkcs12 -info -noout -in " + keystore + "'",
                loadError(KeyMaterial.pkcs12(keystore, "wrong".toCharArray())));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void anEncryptedKey(boolean traditional) {
        Path key = pki.encrypted(ec.key(), traditional);
        assertEquals("cannot read private key '" + key + "': it is encrypted; decrypt it with 'openssl pkey -in "
                + key + " -out plain.pem'", loadError(KeyMaterial.pem(key, ec.cert())));
    }

    @Test
    void aKeyThatDoesNotMatchTheCertificate() {
        String message = loadError(KeyMaterial.pem(pki.key("stray", "ec"), ec.cert()));
        assertTrue(message.startsWith("private key '" + dir.resolve("stray.key") + "' does not match certificate '"
                + ec.cert() + "'; use the key the certificate was issued for"), message);
    }

    @Test
    void anRsaKeyForAnEcCertificate() {
        assertTrue(loadError(KeyMaterial.pem(rsa.key(), ec.cert())).contains("does not match certificate"));
    }

    @Test
    void anExpiredCertificate() {
        TestPki.Leaf old = pki.expired("old");
        assertEquals("certificate 'CN=old' in '" + old.cert() + "' expired on 2020-02-01T00:00Z; renew it",
                loadError(KeyMaterial.pem(old.key(), old.cert())));
    }

    @Test
    void aMissingFile() {
        Path missing = dir.resolve("missing.pem");
        assertEquals("cannot read private key '" + missing + "': no such file; check the path",
                loadError(KeyMaterial.pem(missing, ec.cert())));
        assertEquals("cannot read certificate '" + missing + "': no such file; check the path",
                loadError(KeyMaterial.pem(ec.key(), missing)));
    }

    @Test
    void aFileThatIsNotPem() throws Exception {
        Path der = dir.resolve("cert.der");
        Files.write(der, Base64.getMimeDecoder().decode(TestPki.read(ec.cert())
                .replaceAll("-----[A-Z ]+-----", "")));
        assertEquals("cannot read certificate '" + der + "': not a PEM file (no '-----BEGIN ...-----' block); if it"
                + " is DER, convert it with 'openssl x509 -inform DER -in " + der + " -out " + der + ".pem'",
                loadError(KeyMaterial.pem(ec.key(), der)));
        Path derKey = dir.resolve("key.der");
        Files.write(derKey, new byte[] {0x30, 0x03, 0x02, 0x01, 0x00});
        assertTrue(loadError(KeyMaterial.pem(derKey, ec.cert())).endsWith("convert it with 'openssl pkey -inform DER"
                + " -in " + derKey + " -out " + derKey + ".pem'"));
    }

    @Test
    void aKeyFileWithNoKeyAndACertificateFileWithNoCertificate() {
        assertTrue(loadError(KeyMaterial.pem(ec.cert(), ec.cert())).startsWith("cannot read private key '"
                + ec.cert() + "': no private key in it (found ['CERTIFICATE'])"));
        assertTrue(loadError(KeyMaterial.pem(ec.key(), ec.key())).startsWith("cannot read certificate '"
                + ec.key() + "': no certificate in it (found ['PRIVATE KEY'])"));
    }

    @Test
    void aDamagedKey() {
        Path damaged = dir.resolve("damaged.key");
        TestPki.write(damaged, "-----BEGIN EC PRIVATE KEY-----\nMAMCAQE=\n-----END EC PRIVATE KEY-----\n");
        assertTrue(loadError(KeyMaterial.pem(damaged, ec.cert())).startsWith("cannot read private key '" + damaged
                + "': damaged or unsupported EC PRIVATE KEY"));
    }

    @Test
    void anSniDirectoryWithoutDefault() {
        Path sni = dir.resolve("empty-sni");
        TestPki.write(sni.resolve("readme.txt"), "no keys here");
        String message = assertThrows(IllegalArgumentException.class,
                () -> TlsServer.load(TlsServerConfig.ofSniDirectory(sni))).getMessage();
        assertEquals("SNI directory '" + sni + "' has no default.pem and no main key is configured; add default.pem"
                + " to answer unknown names", message);
    }

    @Test
    void clientTrustRootsThatAreMissing() {
        Path missing = dir.resolve("nowhere.pem");
        String message = assertThrows(IllegalArgumentException.class,
                () -> TlsClient.load(TlsClientConfig.defaults().withTrustRoots(missing))).getMessage();
        assertEquals("cannot read trust roots '" + missing + "': no such file; check the path", message);
    }
}
