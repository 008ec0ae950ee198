package dev.pier.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pier.proxy.ProxyProtocol;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(10)
class EndpointTest {

    @Test
    void serverForms() {
        assertEquals(new TcpEndpoint("127.0.0.1", 8080, 50), Endpoint.parseServer("tcp:8080:interface=127.0.0.1:backlog=50"));
        assertEquals(TcpEndpoint.of(8080), Endpoint.parseServer("tcp:port=8080"));
        assertEquals(new TcpEndpoint("127.0.0.1", 8080, 7), Endpoint.parseServer("tcp:backlog=7:interface=127.0.0.1:port=8080"));
        assertEquals(new TcpEndpoint("::1", 8080, TcpEndpoint.DEFAULT_BACKLOG), Endpoint.parseServer("tcp:8080:interface=\\:\\:1"));
        assertEquals(new TcpEndpoint("::1", 8080, TcpEndpoint.DEFAULT_BACKLOG), Endpoint.parseServer("tcp:8080:interface=[::1]"));
        assertEquals(new TcpEndpoint("::", 8080, TcpEndpoint.DEFAULT_BACKLOG), Endpoint.parseServer("tcp6:8080"));
        assertEquals(new TcpEndpoint("localhost", 0, TcpEndpoint.DEFAULT_BACKLOG), Endpoint.parseServer("tcp:0:localhost"));
        assertEquals(new UdpEndpoint("127.0.0.1", 8007), Endpoint.parseServer("udp:8007:interface=127.0.0.1"));
        assertEquals(new UnixEndpoint(Path.of("/tmp/x.sock"), 0660, 5), Endpoint.parseServer("unix:/tmp/x.sock:mode=660:backlog=5"));
        assertEquals(UnixEndpoint.of(Path.of("/tmp/x.sock")), Endpoint.parseServer("unix:address=/tmp/x.sock"));
        assertEquals(UnixEndpoint.of(Path.of("/tmp/a:b")), Endpoint.parseServer("unix:/tmp/a\\:b"));
        assertEquals(new UnixDatagramEndpoint(Path.of("/tmp/g")), Endpoint.parseServer("unixgram:/tmp/g"));
        assertEquals(new UnixDatagramEndpoint(Path.of("/tmp/g"), 0620), Endpoint.parseServer("unixgram:/tmp/g:mode=620"));
    }

    @Test
    void systemdForms() {
        assertEquals(SystemdEndpoint.ofIndex("INET", 0), Endpoint.parseServer("systemd:domain=INET:index=0"));
        assertEquals(SystemdEndpoint.ofIndex("INET6", 2), Endpoint.parseServer("systemd:index=2:domain=INET6"));
        assertEquals(SystemdEndpoint.ofIndex("INET", 1), Endpoint.parseServer("systemd:index=1"));
        assertEquals(SystemdEndpoint.ofName("UNIX", "api"), Endpoint.parseServer("systemd:domain=UNIX:name=api"));
        assertEquals(SystemdEndpoint.ofName("INET", "web"), Endpoint.parseServer("systemd:name=web"));
        assertEquals(new ProxiedEndpoint(SystemdEndpoint.ofIndex("INET", 0)),
                Endpoint.parseServer("haproxy:systemd:domain=INET:index=0"));
        for (String description : List.of("systemd:domain=INET:index=0", "systemd:domain=INET6:index=3",
                "systemd:domain=UNIX:name=api", "systemd:domain=INET:name=a\\=b", "haproxy:systemd:domain=INET:index=0")) {
            assertEquals(description, Endpoint.parseServer(description).describe());
        }
        assertEquals("systemd:domain=INET:index=1", Endpoint.parseServer("systemd:index=1").describe());
    }

    @Test
    void systemdDescriptorsFollowTheEnvironment() {
        var first = SystemdEndpoint.ofIndex("INET", 0);
        var second = SystemdEndpoint.ofIndex("INET", 1);
        var named = SystemdEndpoint.ofName("INET", "web");
        var passed = java.util.Map.of("LISTEN_PID", "42", "LISTEN_FDS", "2", "LISTEN_FDNAMES", "admin:web");
        assertEquals(3, first.descriptor(passed, 42));
        assertEquals(4, second.descriptor(passed, 42));
        assertEquals(4, named.descriptor(passed, 42));
        assertEquals("systemd:domain=INET:index=0: no socket was passed by systemd (LISTEN_FDS is not set): run under"
                        + " a .socket unit or systemd-socket-activate",
                assertThrows(IllegalArgumentException.class, () -> first.descriptor(java.util.Map.of(), 42))
                        .getMessage());
        assertEquals("systemd:domain=INET:index=0: no socket was passed by systemd to this process (LISTEN_PID is 42,"
                        + " not 43): run under a .socket unit or systemd-socket-activate",
                assertThrows(IllegalArgumentException.class, () -> first.descriptor(passed, 43)).getMessage());
        assertEquals("systemd:domain=INET:index=2: index 2 is out of range: systemd passed 2 sockets (index 0 to 1)",
                assertThrows(IllegalArgumentException.class,
                        () -> SystemdEndpoint.ofIndex("INET", 2).descriptor(passed, 42)).getMessage());
        assertEquals("systemd:domain=INET:name=api: no socket named 'api' was passed (LISTEN_FDNAMES is 'admin:web'):"
                        + " name it with FileDescriptorName= in the .socket unit",
                assertThrows(IllegalArgumentException.class,
                        () -> SystemdEndpoint.ofName("INET", "api").descriptor(passed, 42)).getMessage());
    }

    @Test
    void serverShorthands() {
        assertEquals(TcpEndpoint.of(8080), Endpoint.parseServer("8080"));
        assertEquals(new TcpEndpoint("127.0.0.1", 8080, TcpEndpoint.DEFAULT_BACKLOG), Endpoint.parseServer("127.0.0.1:8080"));
        assertEquals(new TcpEndpoint("localhost", 0, TcpEndpoint.DEFAULT_BACKLOG), Endpoint.parseServer("localhost:0"));
        assertEquals(new TcpEndpoint("::1", 8080, TcpEndpoint.DEFAULT_BACKLOG), Endpoint.parseServer("[::1]:8080"));
    }

    @Test
    void clientForms() {
        assertEquals(new TcpClientEndpoint("example.com", 80, Duration.ofMillis(2500), Optional.of("10.0.0.2")),
                Endpoint.parseClient("tcp:host=example.com:port=80:timeout=2.5:bindAddress=10.0.0.2"));
        assertEquals(TcpClientEndpoint.of("example.com", 80), Endpoint.parseClient("tcp:example.com:80"));
        assertEquals(TcpClientEndpoint.of("::1", 80), Endpoint.parseClient("tcp:host=\\:\\:1:port=80"));
        assertEquals(new UnixClientEndpoint(Path.of("/run/p.sock"), Duration.ofSeconds(3)),
                Endpoint.parseClient("unix:path=/run/p.sock:timeout=3"));
        assertEquals(UnixClientEndpoint.of(Path.of("/run/p.sock")), Endpoint.parseClient("unix:/run/p.sock"));
    }

    @Test
    void clientShorthands() {
        assertEquals(TcpClientEndpoint.of("localhost", 10000), Endpoint.parseClient("10000"));
        assertEquals(TcpClientEndpoint.of("poems.example", 10000), Endpoint.parseClient("poems.example:10000"));
        assertEquals(TcpClientEndpoint.of("::1", 8080), Endpoint.parseClient("[::1]:8080"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "tcp:8080", "tcp:0:interface=127.0.0.1", "tcp:8080:interface=\\:\\:1:backlog=7", "udp:8007",
        "udp:0:interface=127.0.0.1", "unix:/tmp/x.sock", "unix:/tmp/x.sock:mode=600:backlog=9",
        "unix:/tmp/odd\\:name\\=x", "unixgram:/tmp/g", "unixgram:/tmp/g:mode=600",
        "ssl:8443:privateKey=/k.pem", "ssl:0:interface=127.0.0.1:privateKey=/k.pem:certKey=/c.pem:caCerts=/ca.pem:alpn=h2,http/1.1",
        "ssl:443:keystore=/s.p12:password=env:PIER_PASSWORD", "haproxy:tcp:10000", "haproxy:unix:/tmp/x.sock",
        "haproxy:ssl:10443:privateKey=/k.pem",
    })
    void serverDescriptionsAreCanonicalAndRoundTrip(String description) {
        ServerEndpoint endpoint = Endpoint.parseServer(description);
        assertEquals(description, endpoint.describe());
        assertEquals(description, endpoint.toString());
        assertEquals(endpoint, Endpoint.parseServer(endpoint.describe()));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "tcp:host=localhost:port=80", "tcp:host=\\:\\:1:port=80:timeout=0.25:bindAddress=127.0.0.1",
        "unix:path=/tmp/x.sock", "unix:path=/tmp/x.sock:timeout=5", "tls:host=localhost:port=443",
        "tls:host=example.org:port=443:timeout=5:trustRoots=/ca.pem:certificate=/c.pem:privateKey=/k.pem:serverName=a.test:alpn=h2",
    })
    void clientDescriptionsAreCanonicalAndRoundTrip(String description) {
        ClientEndpoint endpoint = Endpoint.parseClient(description);
        assertEquals(description, endpoint.describe());
        assertEquals(endpoint, Endpoint.parseClient(endpoint.describe()));
    }

    @Test
    void aPasswordWrittenIntoADescriptionIsRefusedWithoutRepeatingIt() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> Endpoint.parseServer("ssl:443:keystore=k.p12:password=hunter2"));
        assertEquals("bad endpoint 'ssl:443:keystore=k.p12:password=***': password must be env:VAR or file:PATH (a "
                + "password written in the description would show in the process list)", error.getMessage());
    }

    @Test
    void layersAreListedOutermostFirstAsTheDescriptionReads() {
        ServerEndpoint endpoint = Endpoint.parseServer("haproxy:ssl:10443:privateKey=/k.pem");
        assertEquals(new TcpEndpoint("", 10443, TcpEndpoint.DEFAULT_BACKLOG), endpoint.socket());
        assertEquals("haproxy:ssl:10443:interface=127.0.0.1:privateKey=/k.pem", endpoint.bound(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 10443)).describe());
        assertEquals(List.of(), Endpoint.parseServer("tcp:80").layers());
        assertInstanceOf(ProxyProtocol.class, Endpoint.parseServer("haproxy:tcp:80").layers().getFirst());
    }

    @Test
    void shorthandsDescribeInFullForm() {
        assertEquals("tcp:8080:interface=\\:\\:1", Endpoint.parseServer("[::1]:8080").describe());
        assertEquals("tcp:host=localhost:port=10000", Endpoint.parseClient("10000").describe());
    }

    @Test
    void boundGivesTheRealPortAndInterface() throws Exception {
        ServerEndpoint endpoint = Endpoint.parseServer("tcp:0:interface=localhost");
        InetSocketAddress actual = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 40123);
        assertEquals("tcp:40123:interface=127.0.0.1", endpoint.bound(actual).describe());
        assertEquals("udp:5353:interface=127.0.0.1", Endpoint.parseServer("udp:0").bound(actual.getPort() == 0
                ? actual : new InetSocketAddress(actual.getAddress(), 5353)).describe());
        assertEquals("tcp:8080:interface=\\:\\:1",
                TcpEndpoint.of(0).bound(new InetSocketAddress(InetAddress.getByName("::1"), 8080)).describe());
        assertEquals("unix:/tmp/real.sock:mode=600", Endpoint.parseServer("unix:x.sock:mode=600")
                .bound(UnixDomainSocketAddress.of("/tmp/real.sock")).describe());
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> endpoint.bound(UnixDomainSocketAddress.of("/tmp/x")));
        assertEquals("tcp:0:interface=localhost cannot be bound at /tmp/x: expected a resolved InetSocketAddress",
                error.getMessage());
    }

    @Test
    void ipv6AddressesAreWrittenShortest() throws Exception {
        assertEquals("::1", EndpointParser.hostString(InetAddress.getByName("::1")));
        assertEquals("::", EndpointParser.hostString(InetAddress.getByName("::")));
        assertEquals("2001:db8::1:0:0:1", EndpointParser.hostString(InetAddress.getByName("2001:db8:0:0:1:0:0:1")));
        assertEquals("fe80::1:2", EndpointParser.hostString(InetAddress.getByName("fe80:0:0:0:0:0:1:2")));
        assertEquals("1:2:3:4:5:6:7:8", EndpointParser.hostString(InetAddress.getByName("1:2:3:4:5:6:7:8")));
        assertEquals("1:0:2:3:4:5:6:7", EndpointParser.hostString(InetAddress.getByName("1:0:2:3:4:5:6:7")));
        assertEquals("127.0.0.1", EndpointParser.hostString(InetAddress.getByName("127.0.0.1")));
    }

    @Test
    void socketAddresses() {
        assertEquals(new InetSocketAddress(8080), TcpEndpoint.of(8080).socketAddress());
        assertEquals(new InetSocketAddress("127.0.0.1", 1), new TcpEndpoint("127.0.0.1", 1, 50).socketAddress());
        assertEquals(UnixDomainSocketAddress.of("/tmp/s"), UnixEndpoint.of(Path.of("/tmp/s")).socketAddress());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "tcp:80x | port '80x' is not a number from 0 to 65535",
        "tcp:65536 | port '65536' is not a number from 0 to 65535",
        "tcp:-1 | port '-1' is not a number from 0 to 65535",
        "tcp | missing port",
        "tcp:interface=127.0.0.1 | missing port",
        "tcp:80:backlog=0 | backlog '0' is not a whole number greater than 0",
        "tcp:80:backlog=many | backlog 'many' is not a whole number greater than 0",
        "tcp:80:colour=red | unknown option 'colour' for tcp (known: port, interface, backlog)",
        "tcp:80:port=81 | option 'port' is given twice",
        "tcp:80:interface=::1 | unexpected argument '' after option 'interface' (escape ':' in a value as '\\:')",
        "tcp:80:x:y:z | unexpected argument 'z' (tcp takes port, interface, backlog; escape ':' in a value as '\\:')",
        "foo:bar:baz | unknown type 'foo' (known: tcp, tcp6, ssl, udp, unix, unixgram, systemd; or PORT, HOST:PORT, [IPV6]:PORT)",
        "systemd:domain=INET | missing index (or name), e.g. systemd:domain=INET:index=0",
        "systemd:domain=INET:index=0:name=web | give index or name, not both",
        "systemd:domain=INET:index=-1 | index '-1' is not a whole number from 0",
        "systemd:domain=INET:index=x | index 'x' is not a whole number from 0",
        "systemd:domain=INET:name= | name is empty",
        "systemd:domain=INET:name=a\\:b | name 'a:b' holds ':', which separates the names systemd passes (LISTEN_FDNAMES)",
        "systemd:domain=UDP:index=0 | domain 'UDP' is not one of INET, INET6, UNIX (systemd: INET or INET6 for a TCP or UDP socket, UNIX for a Unix stream socket)",
        "systemd:domain=INET:index=0:backlog=5 | unknown option 'backlog' for systemd (known: domain, index, name)",
        "ssl:443 | ssl needs privateKey=KEY.pem (or keystore=FILE.p12, or certDir=DIR)",
        "ssl:443:keystore=k.p12 | keystore= and password= go together",
        "ssl:443:privateKey=k.pem:colour=red | unknown option 'colour' for ssl (known: port, interface, backlog, privateKey, certKey, extraCertChain, caCerts, certDir, alpn, keystore, password)",
        "tls:443 | tls: is for clients; a TLS server is ssl:PORT:privateKey=KEY.pem",
        "haproxy:udp:53 | haproxy: takes a stream endpoint (tcp, ssl or unix), not udp:53",
        "localhost:http | port 'http' is not a number from 0 to 65535",
        "unix: | path is empty",
        "unix:/tmp/s:mode=98 | mode '98' is not an octal permission such as 660",
        "unix:/tmp/s:lockfile=1 | unknown option 'lockfile' for unix (known: address, mode, backlog)",
        "unixgram:/tmp/s:mode=9 | mode '9' is not an octal permission such as 660",
        "unixgram:/tmp/s:backlog=5 | unknown option 'backlog' for unixgram (known: address, mode)",
        "[::1:80 | '[' is not closed by ']'",
        "[::1]x:80 | unexpected 'x' after ']' (expected ':')",
        "tcp:80\\ | ends with a lone '\\' (write '\\\\' for a backslash)",
    })
    void malformedServerDescriptionsNameTheBadPart(String description, String problem) {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> Endpoint.parseServer(description));
        assertEquals("bad endpoint '" + description + "': " + problem, error.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "tcp:host=h | missing port",
        "tcp:port=80 | missing host",
        "tcp:h:0 | port '0' is not a number from 1 to 65535",
        "tcp:h:80:timeout=0 | timeout '0' is not a number of seconds greater than 0",
        "tcp:h:80:timeout=soon | timeout 'soon' is not a number of seconds greater than 0",
        "tcp:h:80:timeout=0.0000000001 | timeout '0.0000000001' is not a number of seconds greater than 0",
        "tcp:h:80:timeout=1e999999999 | timeout '1e999999999' is not a number of seconds greater than 0",
        "tcp:h:80:mode=1 | unknown option 'mode' for tcp (known: host, port, timeout, bindAddress)",
        "udp:8007 | type 'udp' is not supported for clients (known: tcp, tls, unix)",
        "a:b:c | unknown type 'a' (known: tcp, tls, unix; or PORT, HOST:PORT, [IPV6]:PORT)",
        "unix:timeout=1 | missing path",
        ":80 | host is empty",
    })
    void malformedClientDescriptionsNameTheBadPart(String description, String problem) {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> Endpoint.parseClient(description));
        assertEquals("bad endpoint '" + description + "': " + problem, error.getMessage());
    }

    @Test
    void emptyDescriptionsAreRejected() {
        assertEquals("bad endpoint '': empty description (expected e.g. tcp:8080, unix:/path or HOST:PORT)",
                assertThrows(IllegalArgumentException.class, () -> Endpoint.parseServer("")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Endpoint.parseClient("  "));
        assertThrows(IllegalArgumentException.class, () -> Endpoint.parseClient(null));
    }

    @Test
    void controlCharactersAreEscapedSoThatTheMessageIsOneLine() {
        assertEquals("bad endpoint 'unix:/tmp/s:\\u0000mode=1': unknown option '\\u0000mode' for unix (known: address, "
                + "mode, backlog)", assertThrows(IllegalArgumentException.class,
                        () -> Endpoint.parseServer("unix:/tmp/s:\0mode=1")).getMessage());
        assertEquals("bad endpoint 'tcp:h:80\\u000a': port '80\\u000a' is not a number from 1 to 65535",
                assertThrows(IllegalArgumentException.class, () -> Endpoint.parseClient("tcp:h:80\n")).getMessage());
        assertEquals("bad endpoint '\\u000d\\u000a\\u2028': empty description (expected e.g. tcp:8080, unix:/path or "
                + "HOST:PORT)", assertThrows(IllegalArgumentException.class,
                        () -> Endpoint.parseServer("\r\n\u2028")).getMessage());
    }

    @Test
    void recordsValidateTheirValues() {
        assertThrows(IllegalArgumentException.class, () -> new TcpEndpoint("", 70000, 50));
        assertThrows(IllegalArgumentException.class, () -> new UnixEndpoint(Path.of("x"), 0666, 0));
        assertThrows(IllegalArgumentException.class, () -> TcpClientEndpoint.of("", 80));
        assertThrows(IllegalArgumentException.class,
                () -> new UnixClientEndpoint(Path.of("x"), Duration.ZERO));
    }

    @Test
    void aSocketPathLongerThanTheKernelTakesIsRefusedAtOnce() {
        String longest = "/tmp/" + "s".repeat(102);
        assertEquals(UnixEndpoint.of(Path.of(longest)), Endpoint.parseServer("unix:" + longest));

        String tooLong = longest + "s";
        var refused = assertThrows(IllegalArgumentException.class, () -> Endpoint.parseServer("unixgram:" + tooLong));
        assertEquals("bad endpoint 'unixgram:" + tooLong + "': socket path '" + tooLong + "' is 108 bytes long;"
                + " Unix sockets take at most 107: use a shorter path, or a relative one", refused.getMessage());
        assertThrows(IllegalArgumentException.class, () -> UnixClientEndpoint.of(Path.of(tooLong)));
    }
}
