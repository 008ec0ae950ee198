package dev.pier.app;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What every serving command shares, run as a user runs it: the service options, usage errors for options that do
 * not apply, the signals (a drain announced, a second signal, SIGHUP, SIGUSR1 for log rotation) and socket file modes.
 */
@Timeout(60)
class ServingCommandsIT {

    private static final Duration EXIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    /** Each serving command, as {@code NAME | ARGUMENTS | SERVICE NAME} (the proxy needs an upstream, never used). */
    private static final String COMMANDS = """
            echo              |   | echo
            poetry serve      |   | ecstasy.txt
            poetry transform  |   | transform
            poetry proxy      | 1 | proxy
            """;

    private static List<String> command(String name, String arguments, String... options) {
        List<String> command = new ArrayList<>(List.of(name.split(" ")));
        command.addAll(List.of(options));
        if (!arguments.isBlank()) {
            command.addAll(List.of(arguments.split(" ")));
        }
        return command;
    }

    @ParameterizedTest(name = "pier {0}")
    @CsvSource(delimiter = '|', textBlock = COMMANDS)
    void listenGracePidFileLogFileAndLogLevelWorkTheSameForEveryServingCommand(String name, String arguments,
            String service) throws Exception {
        List<String> command = command(name, arguments == null ? "" : arguments, "--listen",
                "tcp:0:interface=127.0.0.1", "--grace", "1", "--pid-file", "service.pid", "--log-file", "service.log",
                "--log-level", "warn");
        try (PierProcess pier = PierProcess.start(dir, command.toArray(String[]::new))) {
            String ready = pier.readyLine();
            assertTrue(ready.matches("Serving " + service.replace(".", "\\.")
                    + " on tcp:\\d+:interface=127\\.0\\.0\\.1"), ready);
            assertEquals(pier.pid() + "\n", Files.readString(dir.resolve("service.pid")));
            assertTrue(Files.exists(dir.resolve("service.log")), "the log file is opened at the start");
            try (SocketChannel client = SocketChannel.open(new InetSocketAddress("127.0.0.1", pier.port()))) {
                long start = System.nanoTime();
                pier.terminate();
                assertEquals(0, pier.exitStatus(EXIT));
                Duration took = Duration.ofNanos(System.nanoTime() - start);
                assertTrue(took.compareTo(Duration.ofSeconds(8)) < 0, "--grace 1 bounds the drain, took " + took);
            }
            assertEquals("Stopped", pier.stdout().getLast());
            assertFalse(Files.exists(dir.resolve("service.pid")), "the pid file is removed");
            assertFalse(Files.readString(dir.resolve("service.log")).contains(" INFO "),
                    "--log-level warn leaves out the INFO lines");
        }
    }

    @ParameterizedTest(name = "pier {0}")
    @CsvSource(delimiter = '|', textBlock = COMMANDS)
    void pathIsTheUnixShorthandOfEveryServingCommandAndTheSocketFileGetsMode666(String name, String arguments,
            String service) throws Exception {
        List<String> command = command(name, arguments == null ? "" : arguments, "--path", "service.sock");
        try (PierProcess pier = PierProcess.start(dir, command.toArray(String[]::new))) {
            assertEquals("Serving " + service + " on unix:service.sock", pier.readyLine());
            assertEquals("rw-rw-rw-", PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(dir.resolve("service.sock"))));
            pier.terminate();
            assertEquals(0, pier.exitStatus(EXIT));
            assertFalse(Files.exists(dir.resolve("service.sock")), "the socket file is removed");
        }
    }

    @ParameterizedTest(name = "pier {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            echo --transport unix --port 0           | pier echo: --port applies to tcp and udp, not to unix: give --path
            echo --transport udp --path x.sock       | pier echo: --path applies to unix and unixgram, not to udp: give --port
            echo --listen udp:0 --transport udp      | pier echo: give either --listen or --transport, not both: an endpoint names its own transport and address
            poetry serve --max-datagram 9000         | pier poetry serve: --max-datagram applies to udp and unixgram, not to tcp
            poetry transform --path x.sock --iface ::1 | pier poetry transform: give either --iface or --path, not both: one is for tcp and udp, the other for unix sockets
            poetry proxy --listen udp:0 1            | pier poetry proxy: --listen 'udp:0': pier poetry proxy serves over tcp and unix only
            poetry serve --listen tcp:0:interface=nohost.invalid | pier poetry serve: --listen 'tcp:0:interface=nohost.invalid': unknown host 'nohost.invalid'
            poetry serve --grace soon                | pier poetry serve: --grace must be a number of seconds, 0 or more, not 'soon'
            """)
    void anOptionThatDoesNotApplyIsOneLineAndWhereTheHelpIs(String commandLine, String error) throws Exception {
        try (PierProcess pier = PierProcess.start(dir, commandLine.split(" "))) {
            assertEquals(2, pier.exitStatus(EXIT));
            String help = error.substring(0, error.indexOf(": "));
            assertEquals(List.of(error, "Try '" + help + " --help'."), pier.stderr().lines().toList());
            assertEquals(List.of(), pier.stdout());
        }
    }

    @ParameterizedTest(name = "--concurrency {0}")
    @ValueSource(strings = {"reactor", "virtual"})
    void aDrainIsAnnouncedAndASecondSignalEndsItAtOnce(String concurrency) throws Exception {
        try (PierProcess pier = PierProcess.start(dir, "echo", "--port", "0", "--concurrency", concurrency);
             SocketChannel client = SocketChannel.open(new InetSocketAddress("127.0.0.1", pier.port()))) {
            assertEquals("in progress\n", roundTrip(client, "in progress\n"));
            pier.terminate();
            pier.awaitStderrLine(line -> line.equals(
                    "draining: 1 connection, up to 10 s; Ctrl-C again to stop now"));
            long start = System.nanoTime();
            pier.terminate();
            assertEquals(0, pier.exitStatus(EXIT));
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertTrue(took.compareTo(Duration.ofSeconds(5)) < 0, "stopped without the 10 s drain: " + took);
            assertEquals("Stopped", pier.stdout().getLast());
        }
    }

    @Test
    void sighupDrainsAsSigtermDoes() throws Exception {
        try (PierProcess pier = PierProcess.start(dir, "echo", "--port", "0", "--concurrency", "reactor")) {
            try (SocketChannel client = SocketChannel.open(new InetSocketAddress("127.0.0.1", pier.port()))) {
                assertEquals("before\n", roundTrip(client, "before\n"));
                signal("HUP", pier);
                pier.awaitStderrLine(line -> line.startsWith("draining: 1 connection"));
                assertEquals("still served\n", roundTrip(client, "still served\n"));
            }
            assertEquals(0, pier.exitStatus(EXIT));
            assertEquals("Stopped", pier.stdout().getLast());
        }
    }

    /** As logrotate does it: rename the file, send SIGUSR1, and the server writes a new file of the old name. */
    @Test
    void sigusr1ReopensTheLogFileAndUnixClientsAreNamedInIt() throws Exception {
        Path log = dir.resolve("poetry.log");
        try (PierProcess pier = PierProcess.start(dir, "poetry", "serve", "--path", "poem.sock", "--log-file",
                "poetry.log")) {
            assertEquals("Serving ecstasy.txt on unix:poem.sock", pier.readyLine());
            fetchOverUnixSocket();
            Files.move(log, dir.resolve("poetry.log.1"));
            signal("USR1", pier);
            // Each fetch is logged; the first to land after the signal was handled lands in the new file.
            long deadline = System.nanoTime() + EXIT.toNanos();
            while (!(Files.exists(log) && Files.readString(log).contains(" served "))
                    && System.nanoTime() < deadline) {
                fetchOverUnixSocket();
            }
            assertTrue(Files.readString(log).contains(" INFO served 3003 bytes to a unix client in "),
                    Files.readString(log));
            assertTrue(Files.readString(dir.resolve("poetry.log.1")).contains(" INFO serving ecstasy.txt"),
                    "the lines before the rotation stay in the renamed file");

            try (PierProcess get = PierProcess.start(dir, "poetry", "get", "--output", "poems/today",
                    "unix:path=poem.sock")) {
                assertEquals(0, get.exitStatus(EXIT), get.stderr());
                assertEquals(3003, Files.size(dir.resolve("poems/today/1.txt")), "--output makes its directory");
            }
            pier.terminate();
            assertEquals(0, pier.exitStatus(EXIT));
        }
    }

    @ParameterizedTest(name = "{0} with {1}")
    @CsvSource({
        "unix:s.sock, virtual, rw-rw-rw-", "unix:s.sock:mode=600, reactor, rw-------",
        "unixgram:s.sock, reactor, rw-rw-rw-", "unixgram:s.sock:mode=620, virtual, rw--w----"})
    void bothKindsOfUnixSocketFilesGetMode666OrTheModeAsked(String endpoint, String concurrency, String mode)
            throws Exception {
        try (PierProcess pier = PierProcess.start(dir, "echo", "--listen", endpoint, "--concurrency", concurrency)) {
            assertEquals("Serving echo on " + endpoint, pier.readyLine());
            assertEquals(mode, PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("s.sock"))));
            pier.terminate();
            assertEquals(0, pier.exitStatus(EXIT));
        }
    }

    @Test
    void aBlockingUdpServerEchoesADatagramOf60000Bytes() throws Exception {
        try (PierProcess pier = PierProcess.start(dir, "echo", "--transport", "udp", "--port", "0",
                "--concurrency", "virtual");
             DatagramChannel client = DatagramChannel.open()) {
            byte[] datagram = new byte[60_000];
            new Random(11).nextBytes(datagram);
            client.connect(new InetSocketAddress("127.0.0.1", pier.port()));
            client.write(ByteBuffer.wrap(datagram));
            ByteBuffer echo = ByteBuffer.allocate(65_536);
            client.read(echo);
            assertEquals(datagram.length, echo.position());
            assertArrayEquals(datagram, Arrays.copyOf(echo.array(), echo.position()));
        }
    }

    private static String roundTrip(SocketChannel client, String message) throws IOException {
        client.write(ByteBuffer.wrap(message.getBytes(UTF_8)));
        ByteBuffer echo = ByteBuffer.allocate(message.length());
        while (echo.hasRemaining() && client.read(echo) >= 0) {
            // until the whole echo is back
        }
        return new String(echo.array(), 0, echo.position(), UTF_8);
    }

    private void fetchOverUnixSocket() throws IOException {
        try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(dir.resolve("poem.sock")))) {
            ByteBuffer poem = ByteBuffer.allocate(4096);
            while (client.read(poem) >= 0) {
                // to the orderly close that ends a whole poem
            }
            assertEquals(3003, poem.position());
        }
    }

    private static void signal(String name, PierProcess pier) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(pier.pid())).inheritIO().start();
        assertEquals(0, kill.waitFor());
    }
}
