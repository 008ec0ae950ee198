package dev.pier.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pier.endpoint.ServerEndpoint;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

class ServiceOptionsTest {

    private static final ServiceOptions.Defaults STREAMS =
            new ServiceOptions.Defaults(EnumSet.of(SocketKind.TCP, SocketKind.UNIX), 10000, null);
    private static final ServiceOptions.Defaults EVERY_KIND =
            new ServiceOptions.Defaults(EnumSet.allOf(SocketKind.class), 8007, Path.of("echo.sock"));

    private static ServiceOptions parse(String... args) {
        ServiceOptions service = new ServiceOptions();
        CommandSpec serve = CommandSpec.create().name("serve");
        serve.addMixin("service", service.mixinOf(serve));
        new CommandLine(serve).parseArgs(args);
        return service;
    }

    private static List<String> endpoints(int servers, SocketKind transport, ServiceOptions.Defaults defaults,
            String... args) {
        return parse(args).endpoints(servers, transport, defaults).stream().map(ServerEndpoint::describe).toList();
    }

    private static String refusal(int servers, SocketKind transport, ServiceOptions.Defaults defaults,
            String... args) {
        return assertThrows(ParameterException.class, () -> endpoints(servers, transport, defaults, args))
                .getMessage();
    }

    @Test
    void byDefaultTheDefaultPortOfLoopback() {
        assertEquals(List.of("tcp:10000:interface=127.0.0.1"), endpoints(1, null, STREAMS));
        assertEquals(List.of("udp:8007:interface=127.0.0.1"), endpoints(1, SocketKind.UDP, EVERY_KIND));
    }

    @Test
    void furtherServersGetTheFollowingPortsAndPortZeroGivesEachAFreeOne() {
        assertEquals(List.of("tcp:7000:interface=127.0.0.1", "tcp:7001:interface=127.0.0.1"),
                endpoints(2, null, STREAMS, "--port", "7000"));
        assertEquals(List.of("tcp:7000:interface=\\:\\:1"), endpoints(1, null, STREAMS, "--port", "7000", "--iface",
                "::1"));
        assertEquals(List.of("tcp:0:interface=127.0.0.1", "tcp:0:interface=127.0.0.1"),
                endpoints(2, null, STREAMS, "--port", "0"));
    }

    @Test
    void listenEndpointsAreTakenInOrderAndABarePortMeansEveryInterfaceAsInTwisted() {
        assertEquals(List.of("tcp:9001:interface=127.0.0.1", "tcp:0", "unix:poem.sock:mode=600"),
                endpoints(3, null, STREAMS, "--listen", "tcp:9001:interface=127.0.0.1", "--listen", "0",
                        "--listen", "unix:poem.sock:mode=600"));
    }

    @Test
    void pathIsTheShorthandForUnixSocketsOfEitherKind() {
        assertEquals(List.of("unix:a.sock", "unix:b.sock"), endpoints(2, null, STREAMS, "--path", "a.sock",
                "--path", "b.sock"));
        assertEquals(List.of("unix:echo.sock"), endpoints(1, SocketKind.UNIX, EVERY_KIND));
        assertEquals(List.of("unixgram:g.sock"), endpoints(1, SocketKind.UNIXGRAM, EVERY_KIND, "--path", "g.sock"));
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
        "unixgram | --port 9               | --port applies to tcp and udp, not to unixgram: give --path",
        "unix     | --iface ::1            | --iface applies to tcp and udp, not to unix: give --path",
        "udp      | --path x.sock          | --path applies to unix and unixgram, not to udp: give --port",
        "tcp      | --max-datagram 9000    | --max-datagram applies to udp and unixgram, not to tcp",
        "udp      | --max-datagram 70000   | --max-datagram must be between 1 and 65507, not 70000",
        "tcp      | --port 70000           | --port must be between 0 and 65535, not 70000",
        "tcp      | --iface nohost.invalid | --iface: unknown host 'nohost.invalid'",
    })
    void optionsThatDoNotApplyOrMakeNoSenseAreUsageErrors(String transport, String args, String message) {
        assertEquals(message, refusal(1, SocketKind.valueOf(transport.toUpperCase(Locale.ROOT)), EVERY_KIND,
                args.split(" ")));
    }

    @Test
    void portAndPathTogetherAreAUsageError() {
        assertEquals("give either --port or --path, not both: one is for tcp and udp, the other for unix sockets",
                refusal(1, null, STREAMS, "--port", "0", "--path", "poem.sock"));
    }

    @Test
    void listenMistakesAreUsageErrorsInPlainWords() {
        assertEquals("--listen 'udp:9000': serve serves over tcp and unix only",
                refusal(1, null, STREAMS, "--listen", "udp:9000"));
        assertEquals("--listen 'tcp:0:interface=nohost.invalid': unknown host 'nohost.invalid'",
                refusal(1, null, STREAMS, "--listen", "tcp:0:interface=nohost.invalid"));
        assertEquals("--listen must be given once per server (2 servers here), not 1 time",
                refusal(2, null, STREAMS, "--listen", "tcp:9000"));
        assertEquals("give either --listen or --port, not both: an endpoint names its own transport and address",
                refusal(1, null, STREAMS, "--listen", "tcp:1", "--port", "2"));
        assertEquals("give either --listen or --transport, not both: an endpoint names its own transport and address",
                refusal(1, SocketKind.UDP, EVERY_KIND, "--listen", "udp:9000"));
        assertEquals("--listen: bad endpoint 'tcp:port': port 'port' is not a number from 0 to 65535",
                refusal(1, null, STREAMS, "--listen", "tcp:port"));
    }

    @Test
    void aSocketSystemdPassesIsTakenAsGivenAndOnlyOneOfThem() {
        // Parsing takes nothing over: the socket is adopted when the server starts.
        assertEquals(List.of("systemd:domain=INET:index=0", "tcp:9001"),
                endpoints(2, null, STREAMS, "--listen", "systemd:domain=INET:index=0", "--listen", "tcp:9001"));
        assertEquals(List.of("systemd:domain=UNIX:name=api"),
                endpoints(1, null, STREAMS, "--listen", "systemd:domain=UNIX:name=api"));
        assertEquals("--listen 'systemd:domain=INET:index=1': a process serves one socket systemd passed (the JDK takes"
                        + " over one per process), and systemd:domain=INET:index=0 is one already: run one pier per"
                        + " socket",
                refusal(2, null, STREAMS, "--listen", "systemd:domain=INET:index=0", "--listen",
                        "systemd:domain=INET:index=1"));
    }

    @Test
    void graceAndDatagramLimitHaveDefaultsForEveryCommand() {
        assertEquals(Duration.ofSeconds(10), parse().grace());
        assertEquals(Duration.ofMillis(1500), parse("--grace", "1.5").grace());
        assertEquals(65507, parse().maxDatagram());
        assertEquals("--grace must be a number of seconds, 0 or more, not '-1'",
                assertThrows(ParameterException.class, () -> parse("--grace", "-1").grace()).getMessage());
    }

    @Test
    void requestsPerChildIsForForkingOnlyAndOneByDefault() {
        assertEquals(1, parse().requestsPerChild(ConcurrencyMode.FORKING));
        assertEquals(1, parse().requestsPerChild(ConcurrencyMode.REACTOR));
        assertEquals(20, parse("--requests-per-child", "20").requestsPerChild(ConcurrencyMode.FORKING));
        assertEquals("--requests-per-child applies to --concurrency forking, not to virtual",
                assertThrows(ParameterException.class, () -> parse("--requests-per-child", "20")
                        .requestsPerChild(ConcurrencyMode.VIRTUAL)).getMessage());
        assertEquals("--requests-per-child must be at least 1, not 0",
                assertThrows(ParameterException.class, () -> parse("--requests-per-child", "0")
                        .requestsPerChild(ConcurrencyMode.FORKING)).getMessage());
    }
}
