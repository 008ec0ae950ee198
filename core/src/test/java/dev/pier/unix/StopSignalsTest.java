package dev.pier.unix;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pier.blocking.Concurrency;
import dev.pier.blocking.ServerOptions;
import dev.pier.blocking.StreamRequestHandler;
import dev.pier.blocking.TcpServer;
import dev.pier.protocols.LineReceiver;
import dev.pier.reactor.Reactor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A server run by {@code Reactor.runUntilStopSignal} or {@code BaseServer.serveUntilStopSignal} drains its request
 * in progress on SIGTERM and exits with status 0; a second SIGTERM ends the drain at once.
 */
@Timeout(60)
class StopSignalsTest {

    private static final Duration GRACE = Duration.ofSeconds(30);

    /**
     * Serves one-line echo requests on a free port, on the reactor or a blocking server as its argument says, and
     * says on stdout when it starts a request and when it begins to stop.
     */
    public static final class Child {
        public static void main(String[] args) throws IOException {
            if (args[0].equals("reactor")) {
                try (var reactor = Reactor.create()) {
                    var port = reactor.listenTcp(0, peer -> new LineReceiver() {
                        @Override
                        protected void connectionMade() {
                            say("handling");
                        }

                        @Override
                        protected void lineReceived(String line) {
                            sendLine(line);
                            transport().loseConnection();
                        }
                    }, "127.0.0.1");
                    reactor.addShutdownHook(() -> {
                        say("stopping");
                        return null;
                    });
                    say("port " + ((InetSocketAddress) port.address()).getPort());
                    reactor.runUntilStopSignal(GRACE);
                }
            } else {
                var options = ServerOptions.defaults().withConcurrency(Concurrency.virtualThreads());
                try (var server = new TcpServer("127.0.0.1", 0, LineEcho::new, options) {
                    @Override
                    protected void serverClose() throws IOException {
                        say("stopping");
                        super.serverClose();
                    }
                }) {
                    say("port " + server.address().getPort());
                    server.serveUntilStopSignal(GRACE);
                }
            }
            say("Stopped");
        }

        private static void say(String line) {
            System.out.println(line);
            System.out.flush();
        }
    }

    static final class LineEcho extends StreamRequestHandler {
        @Override
        protected void handle() throws IOException {
            Child.say("handling");
            String line = readLine();
            if (line != null) {
                out().write((line + "\r\n").getBytes(UTF_8));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"reactor", "blocking"})
    void theRequestInProgressFinishesAndTheProcessExitsWithStatusZero(String model) throws Exception {
        Process child = ChildJvm.of(Child.class, List.of(), model).redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try (var said = new BufferedReader(new InputStreamReader(child.getInputStream(), UTF_8))) {
            int port = Integer.parseInt(said.readLine().substring("port ".length()));
            try (var client = new Socket("127.0.0.1", port)) {
                client.getOutputStream().write("hel".getBytes(UTF_8));
                assertEquals("handling", said.readLine());

                child.toHandle().destroy();   // SIGTERM, leaving the streams open (Process.destroy closes them)
                assertEquals("stopping", said.readLine());
                client.getOutputStream().write("lo\r\n".getBytes(UTF_8));

                assertEquals("hello\r\n", new String(client.getInputStream().readAllBytes(), UTF_8));
            }
            assertEquals("Stopped", said.readLine());
            assertTrue(child.waitFor(20, TimeUnit.SECONDS));
            assertEquals(0, child.exitValue());
        } finally {
            child.destroyForcibly().waitFor();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"reactor", "blocking"})
    void aSecondSignalEndsTheDrainAtOnce(String model) throws Exception {
        Process child = ChildJvm.of(Child.class, List.of(), model).redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try (var said = new BufferedReader(new InputStreamReader(child.getInputStream(), UTF_8))) {
            int port = Integer.parseInt(said.readLine().substring("port ".length()));
            try (var client = new Socket("127.0.0.1", port)) {
                client.getOutputStream().write("never finished".getBytes(UTF_8));
                assertEquals("handling", said.readLine());

                child.toHandle().destroy();
                assertEquals("stopping", said.readLine());
                child.toHandle().destroy();

                assertEquals("Stopped", said.readLine());
                assertTrue(child.waitFor(20, TimeUnit.SECONDS));
                assertEquals(0, child.exitValue());
            }
        } finally {
            child.destroyForcibly().waitFor();
        }
    }
}
