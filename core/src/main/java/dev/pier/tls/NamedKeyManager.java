package dev.pier.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Keys by server name: the key for the name a client asks for (SNI), or the default key for any other name. A
 * client sends its default key.
 */
final class NamedKeyManager extends X509ExtendedKeyManager {

    static final String DEFAULT = "default";

    private final Map<String, KeyFiles.Identity> byAlias;

    /** {@code byAlias} maps lower-case server names, and {@link #DEFAULT}, to keys. */
    NamedKeyManager(Map<String, KeyFiles.Identity> byAlias) {
        this.byAlias = Map.copyOf(byAlias);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        String name = requestedName(engine);
        if (name != null && byAlias.containsKey(name)) {
            // The name has its own key: never answer it with another name's, even if the type does not fit.
            return fits(name, keyType) ? name : null;
        }
        return fits(DEFAULT, keyType) ? DEFAULT : null;
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        for (String keyType : keyTypes) {
            if (fits(DEFAULT, keyType)) {
                return DEFAULT;
            }
        }
        return null;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return fits(DEFAULT, keyType) ? DEFAULT : null;
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        return chooseEngineClientAlias(keyTypes, issuers, null);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return byAlias.keySet().stream().filter(alias -> fits(alias, keyType)).toArray(String[]::new);
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return getServerAliases(keyType, issuers);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        KeyFiles.Identity identity = byAlias.get(alias);
        return identity == null ? null : identity.chain().clone();
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        KeyFiles.Identity identity = byAlias.get(alias);
        return identity == null ? null : identity.key();
    }

    /** Key types look like {@code RSA}, {@code EC} or, in TLS 1.2, {@code EC_RSA} (an EC key signed with RSA). */
    private boolean fits(String alias, String keyType) {
        KeyFiles.Identity identity = byAlias.get(alias);
        if (identity == null || keyType == null) {
            return false;
        }
        int underscore = keyType.indexOf('_');
        String keyAlgorithm = underscore < 0 ? keyType : keyType.substring(0, underscore);
        return identity.key().getAlgorithm().equalsIgnoreCase(keyAlgorithm);
    }

    private static String requestedName(SSLEngine engine) {
        SSLSession session = engine == null ? null : engine.getHandshakeSession();
        if (!(session instanceof ExtendedSSLSession extended)) {
            return null;
        }
        List<SNIServerName> names = extended.getRequestedServerNames();
        for (SNIServerName name : names) {
            if (name instanceof SNIHostName host) {
                return host.getAsciiName().toLowerCase(Locale.ROOT);
            }
        }
        return null;
    }
}
