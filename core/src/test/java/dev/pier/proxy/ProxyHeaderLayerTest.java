package dev.pier.proxy;

import static dev.pier.proxy.ProxyTesting.SOCKET_LOCAL;
import static dev.pier.proxy.ProxyTesting.SOCKET_REMOTE;
import static dev.pier.proxy.ProxyTesting.abortCause;
import static dev.pier.proxy.ProxyTesting.ascii;
import static dev.pier.proxy.ProxyTesting.concat;
import static dev.pier.proxy.ProxyTesting.inet;
import static dev.pier.proxy.ProxyTesting.inetBlock;
import static dev.pier.proxy.ProxyTesting.tlv;
import static dev.pier.proxy.ProxyTesting.unixAddress;
import static dev.pier.proxy.ProxyTesting.v2;
import static dev.pier.proxy.ProxyTesting.withCrc;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pier.layer.LayeredProtocol;
import dev.pier.proxy.ProxyTesting.BareStack;
import dev.pier.proxy.ProxyTesting.Connection;
import dev.pier.reactor.Transport;
import dev.pier.testing.FakeTransport;
import dev.pier.unix.AbstractUnixAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.SocketTimeoutException;
import java.net.UnixDomainSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ProxyHeaderLayerTest {

    static final InetSocketAddress CLIENT4 = inet("192.0.2.1", 51000);
    static final InetSocketAddress FRONT4 = inet("198.51.100.2", 443);
    static final InetSocketAddress CLIENT6 = inet("2001:db8::1", 51000);
    static final InetSocketAddress FRONT6 = inet("2001:db8::2", 443);

    static final byte[] V1_TCP4 = ascii("PROXY TCP4 192.0.2.1 198.51.100.2 51000 443\r\n");
    static final byte[] V1_TCP6 = ascii("PROXY TCP6 2001:db8::1 2001:db8:0:0:0:0:0:2 51000 443\r\n");
    static final byte[] V1_UNKNOWN = ascii("PROXY UNKNOWN\r\n");
    /** The longest line a receiver must take: 107 bytes. */
    static final byte[] V1_LONGEST = ascii("PROXY UNKNOWN ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"
            + " ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n");
    static final byte[] SSL_VALUE = concat(new byte[] {0x07, 0, 0, 0, 0},
            tlv(ProxyHeader.Ssl.SUBTYPE_VERSION, ascii("TLSv1.3")), tlv(ProxyHeader.Ssl.SUBTYPE_CN, ascii("alice")),
            tlv(ProxyHeader.Ssl.SUBTYPE_CLIENT_CERT, new byte[] {0x30, 0x00}));
    static final byte[] V2_INET = withCrc(v2(0x21, 0x11, inetBlock(CLIENT4, FRONT4),
            tlv(ProxyHeader.TYPE_ALPN, ascii("h2")), tlv(ProxyHeader.TYPE_AUTHORITY, ascii("example.com")),
            tlv(ProxyHeader.TYPE_UNIQUE_ID, new byte[] {1, 2, 3}), tlv(ProxyHeader.TYPE_NOOP, new byte[0]),
            tlv(ProxyHeader.TYPE_SSL, SSL_VALUE), tlv(ProxyHeader.TYPE_CRC32C, new byte[4])));
    static final byte[] V2_INET6 = v2(0x21, 0x21, inetBlock(CLIENT6, FRONT6),
            tlv(ProxyHeader.TYPE_AUTHORITY, ascii("example.org")));
    static final byte[] V2_UNIX = v2(0x21, 0x31, unixAddress(ascii("/run/client.sock")),
            unixAddress(ascii("/run/front.sock")), tlv(0xE0, ascii("custom")));
    static final byte[] V2_UNIX_ABSTRACT = v2(0x21, 0x31, unixAddress(ascii("\0client")), unixAddress(new byte[0]));
    static final byte[] V2_LOCAL = v2(0x20, 0x00);
    static final byte[] V2_LOCAL_WITH_TLV = v2(0x20, 0x00, tlv(ProxyHeader.TYPE_NOOP, new byte[] {0, 0}));
    static final byte[] V2_UNSPEC = v2(0x21, 0x00, new byte[] {9, 9, 9});

    static final byte[] DATA = ascii("GET / HTTP/1.1\r\n\r\n");

    // ---- valid headers

    @Test
    void aVersion1Tcp4LineNamesTheClient() {
        Connection c = new Connection().receive(V1_TCP4);
        assertEquals(List.of("made"), c.protocol.events);
        assertEquals(CLIENT4, c.protocol.remoteWhenMade, "remoteAddress() in connectionMade is the header's source");
        assertEquals(FRONT4, c.protocol.localWhenMade);
        assertEquals(CLIENT4, c.protocol.transport.remoteAddress());
        ProxyHeader header = c.protocol.headerWhenMade;
        assertAll(() -> assertEquals(1, header.version()), () -> assertFalse(header.isLocal()),
                () -> assertTrue(header.namesAddresses()), () -> assertEquals(CLIENT4, header.source()),
                () -> assertEquals(FRONT4, header.destination()), () -> assertEquals(List.of(), header.tlvs()));
        assertFalse(c.transport.isAborted());
        assertEquals(1, c.proxy.acceptedConnections());
        assertEquals(0, c.proxy.rejectedConnections());
        assertTrue(c.clock.pendingCalls().isEmpty(), "the header timer is cancelled once the header is in");
    }

    @Test
    void aVersion1Tcp6LineNamesTheClient() {
        Connection c = new Connection().receive(V1_TCP6);
        assertEquals(CLIENT6, c.protocol.remoteWhenMade);
        assertEquals(FRONT6, c.protocol.localWhenMade);
        assertEquals(1, c.protocol.headerWhenMade.version());
    }

    @Test
    void version1Ipv6AddressesInTheirOtherSpellings() {
        Connection full = new Connection().receive(ascii(
                "PROXY TCP6 2001:0DB8:0000:0000:0000:0000:0000:0001 ::ffff:192.0.2.7 0 65535\r\n"));
        assertEquals(CLIENT6.getAddress(), ((InetSocketAddress) full.protocol.remoteWhenMade).getAddress());
        assertEquals(0, ((InetSocketAddress) full.protocol.remoteWhenMade).getPort());
        assertEquals(inet("192.0.2.7", 65535), full.protocol.localWhenMade);
        Connection zeros = new Connection().receive(ascii("PROXY TCP6 :: 1:: 1 2\r\n"));
        assertEquals(inet("::", 1), zeros.protocol.remoteWhenMade);
        assertEquals(inet("1::", 2), zeros.protocol.localWhenMade);
    }

    @Test
    void aVersion1UnknownLineKeepsTheSocketsAddresses() {
        for (byte[] line : List.of(V1_UNKNOWN, V1_LONGEST, ascii("PROXY UNKNOWN anything \u0001 at all\r\n"))) {
            Connection c = new Connection().receive(line, DATA);
            assertEquals(List.of("made"), c.protocol.events);
            assertEquals(SOCKET_REMOTE, c.protocol.remoteWhenMade);
            assertEquals(SOCKET_LOCAL, c.protocol.localWhenMade);
            assertFalse(c.protocol.headerWhenMade.namesAddresses());
            assertEquals(SOCKET_REMOTE, c.protocol.headerWhenMade.source());
            assertArrayEquals(DATA, c.protocol.received.toByteArray());
        }
        assertEquals(107, V1_LONGEST.length);
    }

    @Test
    void aVersion2InetHeaderWithTlvs() {
        Connection c = new Connection().receive(V2_INET);
        assertEquals(CLIENT4, c.protocol.remoteWhenMade);
        assertEquals(FRONT4, c.protocol.localWhenMade);
        ProxyHeader header = c.protocol.transport.layer(ProxyHeaderLayer.class).orElseThrow().header();
        assertAll(() -> assertEquals(2, header.version()), () -> assertFalse(header.isLocal()),
                () -> assertEquals("h2", header.alpn().orElseThrow()),
                () -> assertEquals("example.com", header.authority().orElseThrow()),
                () -> assertArrayEquals(new byte[] {1, 2, 3}, header.uniqueId().orElseThrow()),
                () -> assertEquals(6, header.tlvs().size()),
                () -> assertEquals(new ProxyHeader.Tlv(ProxyHeader.TYPE_NOOP, new byte[0]), header.tlvs().get(3)),
                () -> assertTrue(header.tlv(0x30).isEmpty()));
        ProxyHeader.Ssl ssl = header.ssl().orElseThrow();
        assertAll(() -> assertTrue(ssl.clientSsl()), () -> assertTrue(ssl.clientCertConnection()),
                () -> assertTrue(ssl.clientCertSession()), () -> assertEquals(0, ssl.verify()),
                () -> assertTrue(ssl.verified()), () -> assertEquals("TLSv1.3", ssl.version().orElseThrow()),
                () -> assertEquals("alice", ssl.commonName().orElseThrow()), () -> assertTrue(ssl.cipher().isEmpty()),
                () -> assertArrayEquals(new byte[] {0x30, 0x00}, ssl.clientCertificate().orElseThrow()),
                () -> assertEquals(3, ssl.fields().size()));
    }

    @Test
    void theSslTlvsVerifyFieldIsUnsigned() {
        byte[] value = {0x01, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xfe};
        Connection c = new Connection().receive(v2(0x21, 0x11, inetBlock(CLIENT4, FRONT4),
                tlv(ProxyHeader.TYPE_SSL, value)));
        ProxyHeader.Ssl ssl = c.protocol.headerWhenMade.ssl().orElseThrow();
        assertEquals(0xfffffffeL, ssl.verify());
        assertFalse(ssl.verified());
        assertTrue(ssl.clientSsl());
        assertFalse(ssl.clientCertConnection());
    }

    @Test
    void aVersion2Inet6Header() {
        Connection c = new Connection().receive(V2_INET6);
        assertEquals(CLIENT6, c.protocol.remoteWhenMade);
        assertEquals(FRONT6, c.protocol.localWhenMade);
        assertEquals("example.org", c.protocol.headerWhenMade.authority().orElseThrow());
    }

    @Test
    void aVersion2UnixHeader() {
        Connection c = new Connection().receive(V2_UNIX);
        assertEquals(UnixDomainSocketAddress.of("/run/client.sock"), c.protocol.remoteWhenMade);
        assertEquals(UnixDomainSocketAddress.of("/run/front.sock"), c.protocol.localWhenMade);
        assertArrayEquals(ascii("custom"), c.protocol.headerWhenMade.tlv(0xE0).orElseThrow());
    }

    @Test
    void aVersion2UnixHeaderWithAnAbstractAndAnUnnamedAddress() {
        Connection c = new Connection().receive(V2_UNIX_ABSTRACT);
        assertEquals(AbstractUnixAddress.of("client"), c.protocol.remoteWhenMade);
        assertEquals(UnixDomainSocketAddress.of(""), c.protocol.localWhenMade);
    }

    @Test
    void aVersion2LocalCommandKeepsTheSocketsAddresses() {
        for (byte[] header : List.of(V2_LOCAL, V2_LOCAL_WITH_TLV,
                v2(0x20, 0x11, inetBlock(CLIENT4, FRONT4)), v2(0x20, 0x11, new byte[3]))) {
            Connection c = new Connection().receive(header, DATA);
            assertEquals(List.of("made"), c.protocol.events);
            assertTrue(c.protocol.headerWhenMade.isLocal());
            assertFalse(c.protocol.headerWhenMade.namesAddresses());
            assertEquals(SOCKET_REMOTE, c.protocol.remoteWhenMade);
            assertEquals(SOCKET_LOCAL, c.protocol.localWhenMade);
            assertArrayEquals(DATA, c.protocol.received.toByteArray());
        }
    }

    @Test
    void aVersion2ProxyCommandForAnUnspecifiedFamilyKeepsTheSocketsAddresses() {
        for (byte[] header : List.of(V2_UNSPEC, v2(0x21, 0x10, inetBlock(CLIENT4, FRONT4)))) {
            Connection c = new Connection().receive(header);
            assertFalse(c.protocol.headerWhenMade.isLocal());
            assertFalse(c.protocol.headerWhenMade.namesAddresses());
            assertEquals(SOCKET_REMOTE, c.protocol.remoteWhenMade);
        }
    }

    @Test
    void aVersion2DatagramHeaderStillNamesItsAddresses() {
        Connection c = new Connection().receive(v2(0x21, 0x12, inetBlock(CLIENT4, FRONT4)));
        assertEquals(CLIENT4, c.protocol.remoteWhenMade);
    }

    @Test
    void bytesAfterTheHeaderInTheSameChunkArePassedUp() {
        for (byte[] header : validHeaders()) {
            Connection c = new Connection().receive(concat(header, DATA), ascii("more"));
            assertArrayEquals(concat(DATA, ascii("more")), c.protocol.received.toByteArray(), describe(header));
        }
    }

    @Test
    void theProtocolCanAbortInConnectionMadeAndBytesAfterTheHeaderAreDropped() {
        var protocol = new ProxyTesting.Recorder() {
            @Override
            public void connectionMade(Transport transport) {
                super.connectionMade(transport);
                transport.abortConnection();
            }
        };
        var transport = new FakeTransport().makeConnection(
                LayeredProtocol.wrap(protocol, List.of(ProxyProtocol.layer().newLayer(SOCKET_REMOTE))));
        transport.receive(concat(V1_TCP4, DATA));
        assertTrue(transport.isAborted());
        assertEquals(0, protocol.received.size());
    }

    // ---- every split

    static List<byte[]> validHeaders() {
        return List.of(V1_TCP4, V1_TCP6, V1_UNKNOWN, V1_LONGEST, V2_INET, V2_INET6, V2_UNIX, V2_UNIX_ABSTRACT,
                V2_LOCAL, V2_LOCAL_WITH_TLV, V2_UNSPEC);
    }

    @Test
    void everyHeaderByteByByte() {
        for (byte[] header : validHeaders()) {
            Connection whole = new Connection().receive(concat(header, DATA));
            byte[] input = concat(header, DATA);
            byte[][] bytes = new byte[input.length][];
            for (int i = 0; i < input.length; i++) {
                bytes[i] = new byte[] {input[i]};
            }
            Connection single = new Connection().receive(bytes);
            assertSameOutcome(whole, single, describe(header) + " byte by byte");
        }
    }

    @Test
    void everyHeaderInEveryTwoChunkSplit() {
        for (byte[] header : validHeaders()) {
            byte[] input = concat(header, DATA);
            Connection whole = new Connection().receive(input);
            for (int split = 0; split <= input.length; split++) {
                Connection c = new Connection().receive(Arrays.copyOfRange(input, 0, split),
                        Arrays.copyOfRange(input, split, input.length));
                assertSameOutcome(whole, c, describe(header) + " split at " + split);
            }
        }
    }

    private static void assertSameOutcome(Connection expected, Connection actual, String what) {
        assertEquals(List.of("made"), actual.protocol.events, what);
        assertFalse(actual.transport.isAborted(), what);
        assertEquals(expected.protocol.remoteWhenMade, actual.protocol.remoteWhenMade, what);
        assertEquals(expected.protocol.localWhenMade, actual.protocol.localWhenMade, what);
        assertEquals(expected.protocol.headerWhenMade.tlvs(), actual.protocol.headerWhenMade.tlvs(), what);
        assertArrayEquals(DATA, actual.protocol.received.toByteArray(), what);
    }

    private static String describe(byte[] header) {
        String hex = HexFormat.of().formatHex(header);
        return hex.length() > 60 ? hex.substring(0, 60) + "..." : hex;
    }

    // ---- malformed headers

    static Stream<Arguments> malformed() {
        byte[] inet = inetBlock(CLIENT4, FRONT4);
        byte[] badSignature = V2_LOCAL.clone();
        badSignature[4] = 0x01;
        byte[] badCrc = V2_INET.clone();
        badCrc[badCrc.length - 1] ^= 1;
        return Stream.of(
                Arguments.of("another protocol", ascii("GET / HTTP/1.1\r\n"), "neither \"PROXY \""),
                Arguments.of("lower case", ascii("proxy TCP4 192.0.2.1 198.51.100.2 1 2\r\n"), "neither"),
                Arguments.of("TLS", new byte[] {0x16, 0x03, 0x01}, "neither"),
                Arguments.of("unknown protocol", ascii("PROXY TCP5 192.0.2.1 198.51.100.2 1 2\r\n"), "TCP5"),
                Arguments.of("LF alone", ascii("PROXY TCP4 192.0.2.1 198.51.100.2 1 2\n"), "line feed without"),
                Arguments.of("CR alone", ascii("PROXY TCP4 192.0.2.1 198.51.100.2 1 2\rX\n"), "carriage return"),
                Arguments.of("no CRLF in 107 bytes", ascii("PROXY UNKNOWN " + "a".repeat(93)), "no CRLF within"),
                Arguments.of("no CRLF, longer", ascii("PROXY UNKNOWN " + "a".repeat(200) + "\r\n"), "no CRLF"),
                Arguments.of("two spaces", ascii("PROXY TCP4  192.0.2.1 198.51.100.2 1 2\r\n"), "is not PROXY"),
                Arguments.of("missing port", ascii("PROXY TCP4 192.0.2.1 198.51.100.2 1\r\n"), "is not PROXY"),
                Arguments.of("trailing space", ascii("PROXY TCP4 192.0.2.1 198.51.100.2 1 2 \r\n"), "is not"),
                Arguments.of("port too big", ascii("PROXY TCP4 192.0.2.1 198.51.100.2 65536 2\r\n"), "65536"),
                Arguments.of("port leading zero", ascii("PROXY TCP4 192.0.2.1 198.51.100.2 01 2\r\n"), "\"01\""),
                Arguments.of("port negative", ascii("PROXY TCP4 192.0.2.1 198.51.100.2 1 -2\r\n"), "\"-2\""),
                Arguments.of("port letters", ascii("PROXY TCP4 192.0.2.1 198.51.100.2 1 http\r\n"), "http"),
                Arguments.of("octet too big", ascii("PROXY TCP4 256.0.2.1 198.51.100.2 1 2\r\n"), "256.0.2.1"),
                Arguments.of("octet leading zero", ascii("PROXY TCP4 192.0.2.01 198.51.100.2 1 2\r\n"), "IPv4"),
                Arguments.of("three octets", ascii("PROXY TCP4 192.0.2 198.51.100.2 1 2\r\n"), "IPv4"),
                Arguments.of("host name", ascii("PROXY TCP4 localhost 198.51.100.2 1 2\r\n"), "localhost"),
                Arguments.of("IPv6 in TCP4", ascii("PROXY TCP4 2001:db8::1 198.51.100.2 1 2\r\n"), "IPv4"),
                Arguments.of("IPv4 in TCP6", ascii("PROXY TCP6 192.0.2.1 2001:db8::2 1 2\r\n"), "IPv6"),
                Arguments.of("two gaps", ascii("PROXY TCP6 1::2::3 2001:db8::2 1 2\r\n"), "IPv6"),
                Arguments.of("long group", ascii("PROXY TCP6 12345::1 2001:db8::2 1 2\r\n"), "IPv6"),
                Arguments.of("seven groups", ascii("PROXY TCP6 1:2:3:4:5:6:7 2001:db8::2 1 2\r\n"), "IPv6"),
                Arguments.of("nine groups", ascii("PROXY TCP6 1:2:3:4:5:6:7:8:9 ::2 1 2\r\n"), "IPv6"),
                Arguments.of("gap of nothing", ascii("PROXY TCP6 1:2:3:4::5:6:7:8 ::2 1 2\r\n"), "IPv6"),
                Arguments.of("IPv4 first", ascii("PROXY TCP6 1.2.3.4:: ::2 1 2\r\n"), "IPv6"),
                Arguments.of("control byte", ascii("PROXY TCP4 192.0.2.1\u0001 198.51.100.2 1 2\r\n"), "0x01"),
                Arguments.of("bad signature", badSignature, "signature"),
                Arguments.of("version 1 binary", v2(0x11, 0x11, inet), "version 1 after"),
                Arguments.of("version 3", v2(0x31, 0x11, inet), "version 3"),
                Arguments.of("command 2", v2(0x22, 0x11, inet), "command 2"),
                Arguments.of("family 4", v2(0x21, 0x41, inet), "address family 4"),
                Arguments.of("transport 3", v2(0x21, 0x13, inet), "transport protocol 3"),
                Arguments.of("short INET block", v2(0x21, 0x11, new byte[8]), "8 bytes, where family 1 needs 12"),
                Arguments.of("short INET6 block", v2(0x21, 0x21, inet), "needs 36"),
                Arguments.of("short UNIX block", v2(0x21, 0x31, new byte[108]), "needs 216"),
                Arguments.of("truncated TLV", v2(0x21, 0x11, inet, new byte[] {1, 0}), "truncated TLV"),
                Arguments.of("TLV overrun", v2(0x21, 0x11, inet, new byte[] {2, 0, 5, 'a'}), "overruns"),
                Arguments.of("bad CRC", badCrc, "CRC32C"),
                Arguments.of("short CRC", v2(0x21, 0x11, inet, tlv(ProxyHeader.TYPE_CRC32C, new byte[3])), "not 4"),
                Arguments.of("short SSL", v2(0x21, 0x11, inet, tlv(ProxyHeader.TYPE_SSL, new byte[4])), "SSL TLV"),
                Arguments.of("SSL sub-field overrun", v2(0x21, 0x11, inet,
                        tlv(ProxyHeader.TYPE_SSL, concat(new byte[5], new byte[] {0x21, 0, 9}))), "overruns its"),
                Arguments.of("long unique id", v2(0x21, 0x11, inet,
                        tlv(ProxyHeader.TYPE_UNIQUE_ID, new byte[129])), "unique id of 129"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void aMalformedHeaderAbortsTheConnectionWithAClearCause(String what, byte[] input, String detail) {
        Connection c = new Connection().receive(input);
        assertTrue(c.transport.isAborted(), what);
        assertEquals(List.of(), c.protocol.events, "the protocol never hears of the connection");
        assertEquals(1, c.proxy.rejectedConnections());
        assertEquals(0, c.proxy.acceptedConnections());
        assertTrue(c.clock.pendingCalls().isEmpty(), "no header timer is left behind");
        c.receive(DATA);   // the peer goes on sending: nothing reaches the protocol, nothing throws
        assertEquals(List.of(), c.protocol.events);

        Exception cause = abortCause(input);
        assertInstanceOf(ProtocolException.class, cause, what);
        String message = cause.getMessage();
        assertTrue(message.startsWith("no valid PROXY protocol header: "), message);
        assertTrue(message.contains(detail), message + " should mention " + detail);
        assertFalse(message.contains("\n") || message.contains("\r"), "one line: " + message);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void aMalformedHeaderIsRejectedWhicheverWayItIsSplit(String what, byte[] input, String detail) {
        for (int split = 0; split <= input.length; split++) {
            Exception cause = abortCause(Arrays.copyOfRange(input, 0, split),
                    Arrays.copyOfRange(input, split, input.length));
            assertNotNull(cause, what + " split at " + split);
            assertTrue(cause.getMessage().contains(detail), cause.getMessage());
        }
    }

    @Test
    void aBadSignatureIsRejectedAtItsFirstWrongByte() {
        Connection c = new Connection().receive(new byte[] {0x0D, 0x0A, 0x0D});
        assertFalse(c.transport.isAborted());
        c.receive(new byte[] {0x0D});
        assertTrue(c.transport.isAborted());
        Connection v1 = new Connection().receive(ascii("PROX"));
        assertFalse(v1.transport.isAborted());
        v1.receive(ascii("I"));
        assertTrue(v1.transport.isAborted());
    }

    // ---- time and the end of input

    @Test
    void noCompleteHeaderWithinTheTimeoutAbortsTheConnection() {
        Connection c = new Connection().receive(ascii("PROXY TCP4 192.0.2.1"));
        c.clock.advance(Duration.ofMillis(4999));
        assertFalse(c.transport.isAborted());
        c.clock.advance(Duration.ofMillis(1));
        assertTrue(c.transport.isAborted());
        assertEquals(List.of(), c.protocol.events);
        assertEquals(1, c.proxy.rejectedConnections());
        c.receive(ascii(" 198.51.100.2 1 2\r\n"));
        assertEquals(List.of(), c.protocol.events, "too late");
    }

    @Test
    void theTimeoutIsReportedAsATimeout() {
        Connection silent = new Connection(ProxyProtocol.layer(Duration.ofSeconds(1)));
        silent.clock.advance(Duration.ofSeconds(1));
        assertTrue(silent.transport.isAborted());
        assertEquals(Duration.ofSeconds(1), silent.proxy.timeout());
        var bare = new BareStack().feed(ascii("PRO"));
        bare.clock.advance(ProxyProtocol.DEFAULT_TIMEOUT);
        assertInstanceOf(SocketTimeoutException.class, bare.cause);
        assertEquals("no valid PROXY protocol header: none complete within 5000 ms (3 bytes received)",
                bare.cause.getMessage());
    }

    @Test
    void aCompleteHeaderStopsTheTimer() {
        Connection c = new Connection().receive(V2_INET);
        c.clock.advance(Duration.ofMinutes(1));
        assertFalse(c.transport.isAborted());
        assertEquals(0, c.proxy.rejectedConnections());
    }

    @Test
    void theEndOfInputBeforeAWholeHeaderAbortsTheConnection() {
        Connection c = new Connection().receive(ascii("PROXY TCP4"));
        c.layered.readConnectionLost();
        assertTrue(c.transport.isAborted());
        assertEquals(List.of(), c.protocol.events);
        assertEquals(1, c.proxy.rejectedConnections());
        assertTrue(c.clock.pendingCalls().isEmpty());
    }

    @Test
    void theEndOfInputAfterTheHeaderReachesTheProtocol() {
        Connection c = new Connection().receive(V1_TCP4);
        c.layered.readConnectionLost();
        assertTrue(c.transport.isDisconnecting(), "a protocol that cannot half-close is closed, as without layers");
        assertFalse(c.transport.isAborted());
    }

    @Test
    void aConnectionLostBeforeTheHeaderCancelsTheTimerAndIsNotARejection() {
        Connection c = new Connection().receive(ascii("PROXY"));
        c.transport.disconnect();
        assertTrue(c.clock.pendingCalls().isEmpty());
        assertEquals(0, c.proxy.rejectedConnections());
        assertEquals(List.of(), c.protocol.events);
    }

    // ---- the factory

    @Test
    void countersAddUpOverTheFactorysConnections() {
        ProxyProtocol proxy = ProxyProtocol.layer();
        new Connection(proxy).receive(V1_TCP4);
        new Connection(proxy).receive(V2_LOCAL);
        new Connection(proxy).receive(ascii("SSH-2.0\r\n"));
        assertEquals(2, proxy.acceptedConnections());
        assertEquals(1, proxy.rejectedConnections());
    }

    @Test
    void theTimeoutMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> ProxyProtocol.layer(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> ProxyProtocol.layer(Duration.ofSeconds(-1)));
        assertEquals(ProxyProtocol.DEFAULT_TIMEOUT, ProxyProtocol.layer().timeout());
    }

    @Test
    void theHeaderIsNotThereBeforeItIsRead() {
        var layer = (ProxyHeaderLayer) ProxyProtocol.layer().newLayer(SOCKET_REMOTE);
        assertFalse(layer.isHeaderRead());
        assertThrows(IllegalStateException.class, layer::header);
    }

    @Nested
    class TheHeaderType {
        @Test
        void tlvValuesAreCopies() {
            byte[] value = {1, 2};
            var tlv = new ProxyHeader.Tlv(7, value);
            value[0] = 9;
            assertArrayEquals(new byte[] {1, 2}, tlv.value());
            tlv.value()[1] = 9;
            assertArrayEquals(new byte[] {1, 2}, tlv.value());
            assertThrows(IllegalArgumentException.class, () -> new ProxyHeader.Tlv(256, value));
        }

        @Test
        void itDescribesItself() {
            Connection c = new Connection().receive(V1_TCP4);
            String text = c.protocol.headerWhenMade.toString();
            assertTrue(text.startsWith("PROXY v1 "), text);
            assertTrue(text.contains("192.0.2.1"), text);
        }
    }

}
