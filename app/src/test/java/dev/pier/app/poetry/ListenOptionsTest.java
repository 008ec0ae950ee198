package dev.pier.app.poetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pier.endpoint.Endpoint;
import dev.pier.endpoint.ServerEndpoint;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParameterException;

class ListenOptionsTest {

    @Command(name = "serve")
    static final class Serve {
        @Mixin
        ListenOptions where;
    }

    private static List<String> endpoints(int services, String... args) {
        Serve serve = new Serve();
        CommandLine command = new CommandLine(serve);
        command.parseArgs(args);
        return serve.where.endpoints(command, services, 10000).stream().map(ServerEndpoint::describe).toList();
    }

    @Test
    void byDefaultTheFirstPoemIsOnPort10000OfLoopback() {
        assertEquals(List.of("tcp:10000:interface=127.0.0.1"), endpoints(1));
    }

    @Test
    void furtherPoemsGetTheFollowingPorts() {
        assertEquals(List.of("tcp:7000:interface=127.0.0.1", "tcp:7001:interface=127.0.0.1",
                "tcp:7002:interface=127.0.0.1"), endpoints(3, "--port", "7000"));
        assertEquals(List.of("tcp:7000:interface=\\:\\:1"), endpoints(1, "--port", "7000", "--iface", "::1"));
    }

    @Test
    void portZeroGivesEveryPoemAFreePort() {
        assertEquals(List.of("tcp:0:interface=127.0.0.1", "tcp:0:interface=127.0.0.1"), endpoints(2, "--port", "0"));
    }

    @Test
    void listenEndpointsAreTakenInOrder() {
        assertEquals(List.of("tcp:9001:interface=127.0.0.1", "tcp:9000", Endpoint.parseServer("unix:poem.sock").describe()),
                endpoints(3, "--listen", "tcp:9001:interface=127.0.0.1", "--listen", "tcp:9000",
                        "--listen", "unix:poem.sock"));
    }

    @Test
    void mistakesAreUsageErrors() {
        assertEquals("--listen was given 1 time(s) for 2 services: give it once per poem",
                assertThrows(ParameterException.class, () -> endpoints(2, "--listen", "tcp:9000")).getMessage());
        assertEquals("give either --listen or --port, not both",
                assertThrows(ParameterException.class, () -> endpoints(1, "--listen", "tcp:9000", "--port", "1"))
                        .getMessage());
        assertEquals("--port must be between 0 and 65535, not 70000",
                assertThrows(ParameterException.class, () -> endpoints(1, "--port", "70000")).getMessage());
        assertThrows(ParameterException.class, () -> endpoints(1, "--listen", "udp:9000"));
        assertThrows(ParameterException.class, () -> endpoints(1, "--listen", "tcp:port"));
    }
}
