/**
 * TLS as a {@link dev.pier.layer.Layer}, on the JDK's {@link javax.net.ssl.SSLEngine}, TLS 1.2 and 1.3 only, with
 * the JDK's default cipher suites.
 *
 * <ul>
 *   <li>{@link dev.pier.tls.TlsServer}: a layer factory for servers, from a {@link dev.pier.tls.TlsServerConfig}
 *       (PEM or PKCS#12 keys, client certificates, per-name keys chosen by SNI, ALPN); renewed certificate files
 *       are picked up without a restart.</li>
 *   <li>{@link dev.pier.tls.TlsClient}: layer factories for clients, from a {@link dev.pier.tls.TlsClientConfig}
 *       (trust roots, client certificate, ALPN); the server's host name is always verified.</li>
 *   <li>{@link dev.pier.tls.TlsLayer}: one connection's TLS, which a protocol reaches with
 *       {@code transport.layer(TlsLayer.class)} to learn the version, cipher suite, ALPN protocol, server name and
 *       peer certificates.</li>
 * </ul>
 *
 * <pre>{@code
 * TlsServer tls = TlsServer.load(TlsServerConfig.of(KeyMaterial.pem(Path.of("key.pem"), Path.of("fullchain.pem"))));
 * reactor.listenTcp(8443, LayeredProtocol.wrap(factory, List.of(tls)));
 * }</pre>
 *
 * <p>Private keys are read from unencrypted PEM in PKCS#8 ({@code BEGIN PRIVATE KEY}), PKCS#1
 * ({@code BEGIN RSA PRIVATE KEY}) or SEC1 ({@code BEGIN EC PRIVATE KEY}) form, or from PKCS#12. A file that cannot
 * be used is reported at load time as an {@link java.lang.IllegalArgumentException} with one line naming the file
 * and the fix.
 */
package dev.pier.tls;
