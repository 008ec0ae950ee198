package dev.pier.proxy;

import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a PROXY protocol header said about a connection: the client it was made for, the version it came in and, for
 * version 2, its type-length-value fields (TLVs). A protocol finds it through its transport once the connection is
 * made:
 *
 * <pre>{@code
 * public void connectionMade(Transport transport) {
 *     ProxyHeader header = transport.layer(ProxyHeaderLayer.class).orElseThrow().header();
 *     String who = header.source() + " via " + header.destination()
 *             + header.authority().map(host -> " for " + host).orElse("");
 * }
 * }</pre>
 *
 * <p>{@link #source()} and {@link #destination()} are the addresses the connection now reports: the header's, or,
 * when it named none (a version 2 LOCAL command, a version 1 {@code UNKNOWN} line, an unspecified family), the
 * socket's own. {@link #namesAddresses()} tells the two apart. Instances are immutable.
 */
public final class ProxyHeader {

    /** Application-Layer Protocol Negotiation: the ALPN identifier the client chose, such as {@code h2}. */
    public static final int TYPE_ALPN = 0x01;
    /** The host name the client asked for (the TLS SNI, or another authority), in UTF-8. */
    public static final int TYPE_AUTHORITY = 0x02;
    /** A CRC32C checksum of the whole header; checked while reading it. */
    public static final int TYPE_CRC32C = 0x03;
    /** Padding, to be ignored. */
    public static final int TYPE_NOOP = 0x04;
    /** An opaque identifier of the connection, at most 128 bytes, chosen by the proxy. */
    public static final int TYPE_UNIQUE_ID = 0x05;
    /** What the proxy knows of the client's TLS session: see {@link Ssl}. */
    public static final int TYPE_SSL = 0x20;
    /** The network namespace's name, in US-ASCII. */
    public static final int TYPE_NETNS = 0x30;

    private final int version;
    private final boolean local;
    private final boolean namesAddresses;
    private final SocketAddress source;
    private final SocketAddress destination;
    private final List<Tlv> tlvs;
    private final Ssl ssl;

    ProxyHeader(int version, boolean local, boolean namesAddresses, SocketAddress source, SocketAddress destination,
            List<Tlv> tlvs, Ssl ssl) {
        this.version = version;
        this.local = local;
        this.namesAddresses = namesAddresses;
        this.source = Objects.requireNonNull(source, "source");
        this.destination = Objects.requireNonNull(destination, "destination");
        this.tlvs = List.copyOf(tlvs);
        this.ssl = ssl;
    }

    /** 1 for the text header, 2 for the binary one. */
    public int version() {
        return version;
    }

    /**
     * True for a version 2 LOCAL command: the proxy opened the connection for itself (a health check), for no
     * client, and the connection keeps the socket's addresses.
     */
    public boolean isLocal() {
        return local;
    }

    /** True if the header named the connection's addresses, false if the socket's own were kept. */
    public boolean namesAddresses() {
        return namesAddresses;
    }

    /**
     * The client: an {@link java.net.InetSocketAddress}, a {@link java.net.UnixDomainSocketAddress} or a
     * {@link dev.pier.unix.AbstractUnixAddress}; the socket's peer when the header named no address.
     */
    public SocketAddress source() {
        return source;
    }

    /** The address the client connected to, on the proxy; this socket's own address when the header named none. */
    public SocketAddress destination() {
        return destination;
    }

    /** Every TLV of a version 2 header, in order (none for version 1). */
    public List<Tlv> tlvs() {
        return tlvs;
    }

    /** The value (a copy) of the first TLV of {@code type}, if there is one. */
    public Optional<byte[]> tlv(int type) {
        return tlvs.stream().filter(tlv -> tlv.type() == type).findFirst().map(Tlv::value);
    }

    /** The ALPN identifier ({@link #TYPE_ALPN}), each byte as one character. */
    public Optional<String> alpn() {
        return tlv(TYPE_ALPN).map(bytes -> new String(bytes, StandardCharsets.ISO_8859_1));
    }

    /** The host name the client asked for ({@link #TYPE_AUTHORITY}). */
    public Optional<String> authority() {
        return tlv(TYPE_AUTHORITY).map(bytes -> new String(bytes, StandardCharsets.UTF_8));
    }

    /** The proxy's identifier of the connection ({@link #TYPE_UNIQUE_ID}). */
    public Optional<byte[]> uniqueId() {
        return tlv(TYPE_UNIQUE_ID);
    }

    /** The client's TLS session as the proxy saw it ({@link #TYPE_SSL}). */
    public Optional<Ssl> ssl() {
        return Optional.ofNullable(ssl);
    }

    @Override
    public String toString() {
        String what = local ? "LOCAL" : namesAddresses ? source + " -> " + destination : "no addresses";
        return "PROXY v" + version + " " + what + (tlvs.isEmpty() ? "" : " " + tlvs);
    }

    /** One type-length-value field of a version 2 header. */
    public record Tlv(int type, byte[] value) {

        /** A TLV of {@code type} (0 to 255) holding a copy of {@code value}. */
        public Tlv {
            if (type < 0 || type > 0xff) {
                throw new IllegalArgumentException("a TLV type is one byte, got " + type);
            }
            value = value.clone();
        }

        /** The value (a copy). */
        @Override
        public byte[] value() {
            return value.clone();
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Tlv that && type == that.type && Arrays.equals(value, that.value);
        }

        @Override
        public int hashCode() {
            return 31 * type + Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            return "0x" + HexFormat.of().toHexDigits((byte) type) + "=" + HexFormat.of().formatHex(value);
        }
    }

    /**
     * The {@link #TYPE_SSL} field: whether the client spoke TLS to the proxy, whether it presented a certificate and
     * whether that verified, and sub-fields such as the TLS version and the certificate's common name.
     */
    public static final class Ssl {

        /** The client connected over TLS. */
        public static final int CLIENT_SSL = 0x01;
        /** The client presented a certificate on this connection. */
        public static final int CLIENT_CERT_CONN = 0x02;
        /** The client presented a certificate at least once in this TLS session. */
        public static final int CLIENT_CERT_SESS = 0x04;

        /** Sub-field: the TLS version, such as {@code TLSv1.3} (US-ASCII). */
        public static final int SUBTYPE_VERSION = 0x21;
        /** Sub-field: the common name of the client certificate's subject (UTF-8). */
        public static final int SUBTYPE_CN = 0x22;
        /** Sub-field: the cipher, such as {@code ECDHE-RSA-AES128-GCM-SHA256} (US-ASCII). */
        public static final int SUBTYPE_CIPHER = 0x23;
        /** Sub-field: the algorithm that signed the proxy's certificate (US-ASCII). */
        public static final int SUBTYPE_SIG_ALG = 0x24;
        /** Sub-field: the algorithm of the proxy certificate's key (US-ASCII). */
        public static final int SUBTYPE_KEY_ALG = 0x25;
        /** Sub-field: the key exchange group, such as {@code secp256r1} (US-ASCII). */
        public static final int SUBTYPE_GROUP = 0x26;
        /** Sub-field: the signature scheme the proxy used in the handshake (US-ASCII). */
        public static final int SUBTYPE_SIG_SCHEME = 0x27;
        /** Sub-field: the client's certificate, X.509 in DER. */
        public static final int SUBTYPE_CLIENT_CERT = 0x28;

        private final int client;
        private final long verify;
        private final List<Tlv> fields;

        Ssl(int client, long verify, List<Tlv> fields) {
            this.client = client;
            this.verify = verify;
            this.fields = List.copyOf(fields);
        }

        /** The {@code client} bit field: {@link #CLIENT_SSL}, {@link #CLIENT_CERT_CONN}, {@link #CLIENT_CERT_SESS}. */
        public int client() {
            return client;
        }

        /** True if the client spoke TLS to the proxy. */
        public boolean clientSsl() {
            return (client & CLIENT_SSL) != 0;
        }

        /** True if the client presented a certificate on this connection. */
        public boolean clientCertConnection() {
            return (client & CLIENT_CERT_CONN) != 0;
        }

        /** True if the client presented a certificate at least once in its TLS session. */
        public boolean clientCertSession() {
            return (client & CLIENT_CERT_SESS) != 0;
        }

        /** The {@code verify} field as sent, an unsigned 32-bit number: 0 when a client certificate verified. */
        public long verify() {
            return verify;
        }

        /** True if the client presented a certificate and it verified ({@link #verify()} is 0). */
        public boolean verified() {
            return verify == 0;
        }

        /** The sub-fields, in order. */
        public List<Tlv> fields() {
            return fields;
        }

        /** The TLS version ({@link #SUBTYPE_VERSION}). */
        public Optional<String> version() {
            return text(SUBTYPE_VERSION);
        }

        /** The client certificate's common name ({@link #SUBTYPE_CN}). */
        public Optional<String> commonName() {
            return text(SUBTYPE_CN);
        }

        /** The cipher ({@link #SUBTYPE_CIPHER}). */
        public Optional<String> cipher() {
            return text(SUBTYPE_CIPHER);
        }

        /** The client's certificate in DER ({@link #SUBTYPE_CLIENT_CERT}), if the proxy passes it on. */
        public Optional<byte[]> clientCertificate() {
            return field(SUBTYPE_CLIENT_CERT);
        }

        /** The value (a copy) of the first sub-field of {@code type}. */
        public Optional<byte[]> field(int type) {
            return fields.stream().filter(tlv -> tlv.type() == type).findFirst().map(Tlv::value);
        }

        /** The value of the first sub-field of {@code type}, as UTF-8 text (US-ASCII is a subset). */
        public Optional<String> text(int type) {
            return field(type).map(bytes -> new String(bytes, StandardCharsets.UTF_8));
        }

        @Override
        public String toString() {
            return "Ssl[client=0x" + Integer.toHexString(client) + ", verify=" + verify + ", " + fields + "]";
        }
    }
}
