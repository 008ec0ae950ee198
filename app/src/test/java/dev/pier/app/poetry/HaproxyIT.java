package dev.pier.app.poetry;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pier.app.PierProcess;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pier behind a real HAProxy that speaks the PROXY protocol to it (version 1 to one backend, version 2 to the other,
 * round robin): every poem arrives whole and both servers log the real client, not HAProxy. With HAProxy checking
 * each backend's {@code /healthz} on its {@code --metrics} port, a backend killed is taken out of rotation and a
 * backend stopped with SIGTERM drains: its poems in flight finish whole while new clients go to the other, and no
 * client gets a poem cut short. Each failover and drain prints its figures on stdout, one line.
 */
@Timeout(90)
class HaproxyIT {

    private static final Path HAPROXY = Path.of("/usr/sbin/haproxy");
    private static final String POEM = "ecstasy.txt";
    /** 3003 bytes, 300 every quarter second: a poem takes about 2.5 s, long enough to be in flight during a drain. */
    private static final List<String> SLOW = List.of("--delay", "0.25", "--num-bytes", "300");
    private static final Duration STATE_CHANGE = Duration.ofSeconds(10);
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(20);
    /** Clients fetching at the same time in a failover. */
    private static final int CLIENTS = 4;

    /** Round robin, PROXY version 1 to the first server and version 2 to the second, no health checks. */
    private static final String UNCHECKED = """
                balance roundrobin
                server first 127.0.0.1:%d send-proxy
                server second 127.0.0.1:%d send-proxy-v2
            """;

    /**
     * As {@link #UNCHECKED}, with the health checks deployment.md gives operators, only checked five times as often so
     * that the tests are quick: {@code /healthz} on each server's metrics port, taken out of rotation at the first
     * failure and back at the first success; a client sent to a server that refuses it is sent to another.
     */
    private static final String HEALTH_CHECKED = """
                balance roundrobin
                option httpchk GET /healthz
                http-check expect status 200
                option redispatch
                retries 3
                timeout check 2s
                default-server inter 200ms fall 1 rise 1
                server first 127.0.0.1:%d send-proxy check port %d
                server second 127.0.0.1:%d send-proxy-v2 check port %d
            """;

    @TempDir
    Path directory;

    private final List<AutoCloseable> running = new ArrayList<>();

    @AfterEach
    void stopEverything() throws Exception {
        for (AutoCloseable process : running.reversed()) {
            process.close();
        }
    }

    @Test
    void twoBackendsBehindHaproxySeeTheRealClientsOverTcp() throws Exception {
        requireHaproxy();
        PierProcess reactor = poetryServer("reactor", "haproxy:tcp:0:interface=127.0.0.1");
        PierProcess threads = poetryServer("threads", "haproxy:tcp:0:interface=127.0.0.1");
        int front = haproxy(UNCHECKED.formatted(reactor.port(), threads.port()));

        List<Integer> clientPorts = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            try (Socket client = new Socket("127.0.0.1", front)) {
                clientPorts.add(client.getLocalPort());
                assertArrayEquals(Peers.poemBytes(POEM), client.getInputStream().readAllBytes());
            }
        }
        assertEquals(Set.of(reactor, threads), servedBy(clientPorts, reactor, threads), "round robin");
    }

    @Test
    void theProxyHeaderComesBeforeTls() throws Exception {
        requireHaproxy();
        String ssl = sslEndpoint();
        PierProcess reactor = poetryServer("reactor", ssl);
        PierProcess virtual = poetryServer("virtual", ssl);
        int front = haproxy(UNCHECKED.formatted(reactor.port(), virtual.port()));

        Reading tls = tls(front);
        List<Integer> clientPorts = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            try (Socket plain = new Socket("127.0.0.1", front); InputStream in = tls.open(plain)) {
                clientPorts.add(plain.getLocalPort());
                assertArrayEquals(Peers.poemBytes(POEM), in.readAllBytes());
            }
        }
        assertEquals(Set.of(reactor, virtual), servedBy(clientPorts, reactor, virtual), "round robin");
    }

    @Test
    void aKilledBackendIsTakenOutOfRotationAndEveryLaterClientGetsAWholePoemOverTcp() throws Exception {
        requireHaproxy();
        failover("tcp", "reactor", "threads");
    }

    @Test
    void aKilledBackendIsTakenOutOfRotationAndEveryLaterClientGetsAWholePoemOverTls() throws Exception {
        requireHaproxy();
        failover("tls", "virtual", "reactor");
    }

    @Test
    void aDrainingBackendFinishesItsPoemsWhileNewClientsGoToTheOtherOverTcp() throws Exception {
        requireHaproxy();
        drain("tcp", "threads", "reactor");
    }

    @Test
    void aDrainingBackendFinishesItsPoemsWhileNewClientsGoToTheOtherOverTls() throws Exception {
        requireHaproxy();
        drain("tls", "reactor", "virtual");
    }

    /**
     * Clients fetch poems through HAProxy in a loop; the first backend is killed (SIGKILL). Until HAProxy's check
     * notices, a client sent to it may fail (one in flight is cut off; one refused is redispatched); once HAProxy has
     * marked it down, every client gets a whole poem from the other.
     */
    private void failover(String transport, String killed, String left) throws Exception {
        String listen = listen(transport);
        Backend first = backend(killed, listen);
        Backend second = backend(left, listen);
        int front = haproxy(HEALTH_CHECKED.formatted(first.port(), first.metricsPort(), second.port(),
                second.metricsPort()));
        Reading reading = reading(transport, front);
        awaitServer("first", ServerStats::passing);
        awaitServer("second", ServerStats::passing);

        try (ClientLoop clients = new ClientLoop(front, reading, Peers.poemBytes(POEM), CLIENTS)) {
            clients.awaitWholeBeforeDown(20);
            long killedAt = System.nanoTime();
            first.process().close();   // SIGKILL: no drain, its sockets closed by the kernel
            ServerStats down = awaitServer("first", ServerStats::down);
            long noticedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
            clients.markedDown();
            clients.awaitFetchesAfterDown(100);
            clients.stop();

            ServerStats dead = stats("first");
            System.out.printf("HAProxy failover over %s, %s backend killed (SIGKILL), %s left: marked down %d ms "
                            + "after the kill (%s); clients served %d, errors seen %d (%d before HAProxy noticed, %d "
                            + "after); after the mark %d of %d served whole; clients sent to the dead backend and "
                            + "redispatched %d; failures before the mark: %s%n",
                    transport, killed, left, noticedAfter, down.checkStatus(), clients.served(), clients.failed(),
                    clients.failedBeforeDown.get(), clients.failedAfterDown.get(), clients.wholeAfterDown.get(),
                    clients.wholeAfterDown.get() + clients.failedAfterDown.get(), dead.redispatches(),
                    clients.failuresBeforeDown());
            assertEquals(List.of(), clients.failuresAfterDown(),
                    () -> "clients that began once the backend was down; HAProxy:\n" + haproxyLog());
            // A client can lose only the connection it had when the backend died: any later is refused, and sent on.
            assertTrue(clients.failedBeforeDown.get() <= CLIENTS, "lost: " + clients.failuresBeforeDown());
            assertTrue(clients.wholeAfterDown.get() >= 100, "served whole after the mark: " + clients.wholeAfterDown);
            assertTrue(stats("second").up(), stats("second").toString());
        }
    }

    /**
     * Slow poems are in flight on both backends; the first is sent SIGTERM. Its {@code /healthz} answers 503 at
     * once, HAProxy marks it down for that (not for a refused connection), clients that come meanwhile and after go
     * to the other backend, its own poems in flight finish whole, and it exits 0. No client gets a poem cut short.
     */
    private void drain(String transport, String drained, String left) throws Exception {
        String listen = listen(transport);
        Backend first = backend(drained, listen, SLOW);
        Backend second = backend(left, listen, SLOW);
        int front = haproxy(HEALTH_CHECKED.formatted(first.port(), first.metricsPort(), second.port(),
                second.metricsPort()));
        Reading reading = reading(transport, front);
        awaitServer("first", ServerStats::passing);
        awaitServer("second", ServerStats::passing);
        byte[] poem = Peers.poemBytes(POEM);

        List<SlowClient> inFlight = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            inFlight.add(SlowClient.start(front, reading));
        }
        for (SlowClient client : inFlight) {
            client.started().get(CLIENT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
        long inFlightOnDrained = stats("first").current();
        assertTrue(inFlightOnDrained >= 1, "round robin sent the drained backend none of " + inFlight.size());

        long signalledAt = System.nanoTime();
        first.process().terminate();
        // A client every poll until HAProxy marks the backend down: some come before its check has seen the 503.
        List<SlowClient> meanwhile = new ArrayList<>();
        ServerStats down;
        long deadline = System.nanoTime() + STATE_CHANGE.toNanos();
        while (!(down = stats("first")).down()) {
            assertTrue(System.nanoTime() < deadline, "not marked down after " + STATE_CHANGE + ": " + down);
            meanwhile.add(SlowClient.start(front, reading));
            pause();
        }
        long noticedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalledAt);
        assertEquals("L7STS", down.checkStatus().replace("* ", ""), "marked down for its 503: " + down);
        assertEquals("503", down.checkCode(), down.toString());
        List<SlowClient> after = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            after.add(SlowClient.start(front, reading));
        }

        List<String> failures = new ArrayList<>();
        int whole = 0;
        List<SlowClient> all = new ArrayList<>(inFlight);
        all.addAll(meanwhile);
        all.addAll(after);
        for (SlowClient client : all) {
            String failure = client.failure(poem);
            if (failure == null) {
                whole++;
            } else {
                failures.add(failure);
            }
        }
        assertEquals(List.of(), failures, () -> "poems not whole; the drained backend said:\n"
                + first.process().stderrSoFar() + "\nthe other:\n" + second.process().stderrSoFar()
                + "\nHAProxy:\n" + haproxyLog());
        int exitStatus = first.process().exitStatus(STATE_CHANGE);
        long exitedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalledAt);
        String drainedLog = first.process().stderr();
        for (SlowClient client : after) {
            assertTrue(drainedLog.lines().noneMatch(servedTo(client.port())),
                    "a client after the mark served by the drained backend: " + client.port());
            second.process().awaitStderrLine(servedTo(client.port()));
        }
        long servedByDrained = drainedLog.lines().filter(line -> line.contains("served 3003 bytes to ")).count();
        ServerStats redispatched = stats("first");

        System.out.printf("HAProxy drain over %s, %s backend drained (SIGTERM), %s left: marked down %d ms after "
                        + "the signal (%s %s); %d poems in flight on it, %d served by it in all; clients served %d, "
                        + "errors seen %d (%d in flight, %d came before the mark, %d after it); clients redispatched "
                        + "%d; it exited %d, %d ms after the signal%n",
                transport, drained, left, noticedAfter, down.checkStatus(), down.checkCode(), inFlightOnDrained,
                servedByDrained, whole, failures.size(), inFlight.size(), meanwhile.size(), after.size(),
                redispatched.redispatches(), exitStatus, exitedAfter);
        assertEquals(0, exitStatus, drainedLog);
        assertTrue(servedByDrained >= inFlightOnDrained, drainedLog);
    }

    private static Predicate<String> servedTo(int port) {
        return line -> line.contains("served 3003 bytes to 127.0.0.1:" + port + " ");
    }

    private PierProcess poetryServer(String concurrency, String listen) throws Exception {
        PierProcess server = PierProcess.start(directory, "poetry", "serve", "--concurrency", concurrency,
                "--listen", listen, Peers.poem(POEM).toString());
        running.add(server::close);
        server.readyLine();
        return server;
    }

    /** A poetry server with its metrics port, as HAProxy checks it. */
    private record Backend(PierProcess process, int port, int metricsPort) {}

    private Backend backend(String concurrency, String listen) throws Exception {
        return backend(concurrency, listen, List.of());
    }

    private Backend backend(String concurrency, String listen, List<String> pace) throws Exception {
        List<String> command = new ArrayList<>(List.of("poetry", "serve", "--concurrency", concurrency,
                "--listen", listen, "--metrics", "tcp:0:interface=127.0.0.1"));
        command.addAll(pace);
        command.add(Peers.poem(POEM).toString());
        PierProcess server = PierProcess.start(directory, command.toArray(String[]::new));
        running.add(server::close);
        String metricsLine = server.readyLines(2).get(1);
        int metricsPort = Integer.parseInt(metricsLine.replaceAll("^Metrics on tcp:(\\d+):.*$", "$1"));
        return new Backend(server, server.port(), metricsPort);
    }

    /**
     * The servers whose logs name the clients, each by its own port: a server behind HAProxy sees the client the
     * PROXY header names, not HAProxy.
     */
    private static Set<PierProcess> servedBy(List<Integer> clientPorts, PierProcess... servers) throws Exception {
        Set<PierProcess> serving = new HashSet<>();
        for (int port : clientPorts) {
            List<CompletableFuture<PierProcess>> logged = new ArrayList<>();
            for (PierProcess server : servers) {
                // On threads of their own: the common pool may have one thread, busy waiting on the other server.
                logged.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        server.awaitStderrLine(servedTo(port));
                        return server;
                    } catch (Exception notThisOne) {
                        throw new CompletionException(notThisOne);
                    }
                }, Thread.ofVirtual()::start));
            }
            CompletableFuture<PierProcess> first = new CompletableFuture<>();
            logged.forEach(future -> future.thenAccept(first::complete));
            serving.add(first.get(30, TimeUnit.SECONDS));
        }
        return serving;
    }

    private Process haproxy;

    /** HAProxy in front of backend {@code pier} ({@code servers}: the lines of its section), with a stats socket. */
    private int haproxy(String servers) throws Exception {
        // HAProxy cannot listen on port 0 and say where: free ports, just freed.
        int[] ports = freePorts(2);
        int front = ports[0];
        int ready = ports[1];
        Path config = directory.resolve("haproxy.cfg");
        Files.writeString(config, """
                global
                    stats socket %s mode 600 level admin
                defaults
                    mode tcp
                    timeout connect 5s
                    timeout client 30s
                    timeout server 30s
                frontend ready
                    bind 127.0.0.1:%d
                    tcp-request connection reject
                frontend poems
                    bind 127.0.0.1:%d
                    default_backend pier
                backend pier
                """.formatted(statsSocket(), ready, front) + servers);
        haproxy = new ProcessBuilder(HAPROXY.toString(), "-db", "-f", config.toString())
                .redirectErrorStream(true).redirectOutput(directory.resolve("haproxy.log").toFile()).start();
        Process started = haproxy;
        running.add(() -> {
            started.destroy();
            started.waitFor(10, TimeUnit.SECONDS);
        });
        awaitListening(ready);
        return front;
    }

    /** What HAProxy said (its servers going down and up, and why), for a failure's message. */
    private String haproxyLog() {
        try {
            return Files.readString(directory.resolve("haproxy.log"));
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    private Path statsSocket() {
        return directory.resolve("haproxy.sock");
    }

    /** HAProxy's view of one server of backend {@code pier}, a line of {@code show stat}. */
    private record ServerStats(String name, String status, String checkStatus, String checkCode, long current,
            long redispatches) {

        boolean up() {
            return status.equals("UP");
        }

        /** Up, and its last check passed (not merely up as HAProxy starts, before any check). */
        boolean passing() {
            return up() && checkStatus.contains("L7OK");
        }

        boolean down() {
            return status.equals("DOWN");
        }
    }

    /** What HAProxy's stats socket says of {@code server} now. */
    private ServerStats stats(String server) throws IOException {
        String csv;
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(statsSocket()));
            channel.write(ByteBuffer.wrap("show stat\n".getBytes(US_ASCII)));
            csv = new String(Channels.newInputStream(channel).readAllBytes(), US_ASCII);
        }
        List<String> lines = csv.lines().filter(line -> !line.isBlank()).toList();
        List<String> columns = List.of(lines.getFirst().replaceFirst("^# ", "").split(",", -1));
        for (String line : lines.subList(1, lines.size())) {
            List<String> values = List.of(line.split(",", -1));
            Map<String, String> field = new HashMap<>();
            for (int i = 0; i < Math.min(columns.size(), values.size()); i++) {
                field.put(columns.get(i), values.get(i));
            }
            if (field.get("pxname").equals("pier") && field.get("svname").equals(server)) {
                return new ServerStats(server, field.get("status"), field.get("check_status"),
                        field.get("check_code"), Long.parseLong(field.get("scur")),
                        Long.parseLong(field.get("wredis")));
            }
        }
        throw new AssertionError("no server " + server + " in HAProxy's stats: " + csv);
    }

    /** Polls HAProxy's stats until {@code server} is as {@code wanted} says. */
    private ServerStats awaitServer(String server, Predicate<ServerStats> wanted) throws Exception {
        long deadline = System.nanoTime() + STATE_CHANGE.toNanos();
        while (true) {
            ServerStats now = stats(server);
            if (wanted.test(now)) {
                return now;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("HAProxy's server " + server + " still " + now + " after " + STATE_CHANGE
                        + "; its log: " + Files.readString(directory.resolve("haproxy.log")));
            }
            pause();
        }
    }

    /** A pause between two polls of HAProxy, which ends early if it dies. */
    private void pause() throws Exception {
        try {
            haproxy.onExit().get(20, TimeUnit.MILLISECONDS);
            throw new AssertionError("HAProxy exited: " + Files.readString(directory.resolve("haproxy.log")));
        } catch (TimeoutException stillRunning) {
            // poll again
        }
    }

    /** Ports free now, all different: each probe stays bound until all are chosen. */
    private static int[] freePorts(int count) throws IOException {
        ServerSocket[] probes = new ServerSocket[count];
        try {
            for (int i = 0; i < count; i++) {
                probes[i] = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            }
            return Arrays.stream(probes).mapToInt(ServerSocket::getLocalPort).toArray();
        } finally {
            for (ServerSocket probe : probes) {
                if (probe != null) {
                    probe.close();
                }
            }
        }
    }

    /**
     * Until HAProxy accepts on its frontend that refuses every connection (it prints nothing when it is ready, and
     * binds all its frontends before it accepts on any): no client reaches a backend on the way.
     */
    private void awaitListening(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress("127.0.0.1", port));
                return;
            } catch (ConnectException notYet) {
                if (!haproxy.isAlive() || System.nanoTime() > deadline) {
                    throw new IOException("HAProxy did not start: "
                            + Files.readString(directory.resolve("haproxy.log")));
                }
                pause();
            }
        }
    }

    /** The backends' endpoint: the PROXY header, then the poem as it comes ({@code tcp}) or through TLS. */
    private String listen(String transport) throws Exception {
        return transport.equals("tls") ? sslEndpoint() : "haproxy:tcp:0:interface=127.0.0.1";
    }

    private Reading reading(String transport, int front) throws Exception {
        return transport.equals("tls") ? tls(front) : Socket::getInputStream;
    }

    /** How a client reads the poem on its connection to HAProxy: as it comes, or through TLS. */
    private interface Reading {
        InputStream open(Socket connected) throws IOException;
    }

    /** TLS to the backend through HAProxy, trusting the certificate {@link #sslEndpoint()} made. */
    private Reading tls(int front) throws Exception {
        SSLContext trusting = trusting(directory.resolve("tls/cert.pem"));
        return connected -> ((SSLSocket) trusting.getSocketFactory().createSocket(connected, "localhost", front, true))
                .getInputStream();
    }

    /** A {@code haproxy:ssl:} endpoint on a self-signed certificate made for it. */
    private String sslEndpoint() throws Exception {
        PierProcess made = PierProcess.start(directory, "tls", "self-signed", "--out", "tls");
        assertEquals(0, made.exitStatus(Duration.ofSeconds(30)), made.stderr());
        return "haproxy:ssl:0:interface=127.0.0.1:privateKey=" + directory.resolve("tls/key.pem")
                + ":certKey=" + directory.resolve("tls/cert.pem");
    }

    /**
     * Clients fetching the poem through HAProxy back to back, each on a thread of its own, counting the poems that
     * came whole and the failures, apart before and after the test says the backend is marked down: a fetch counts
     * as after only if it began after that.
     */
    private static final class ClientLoop implements AutoCloseable {
        private final int front;
        private final Reading reading;
        private final byte[] poem;
        private final List<Thread> threads = new ArrayList<>();
        private final Semaphore wholeBefore = new Semaphore(0);
        private final Semaphore fetchedAfter = new Semaphore(0);
        private final Queue<String> failuresBefore = new ConcurrentLinkedQueue<>();
        private final Queue<String> failuresAfter = new ConcurrentLinkedQueue<>();
        final AtomicInteger wholeBeforeDown = new AtomicInteger();
        final AtomicInteger failedBeforeDown = new AtomicInteger();
        final AtomicInteger wholeAfterDown = new AtomicInteger();
        final AtomicInteger failedAfterDown = new AtomicInteger();
        private volatile boolean down;
        private volatile boolean stopping;

        ClientLoop(int front, Reading reading, byte[] poem, int clients) {
            this.front = front;
            this.reading = reading;
            this.poem = poem;
            for (int i = 0; i < clients; i++) {
                threads.add(Thread.ofVirtual().name("client-" + i).start(this::loop));
            }
        }

        private void loop() {
            while (!stopping) {
                boolean after = down;
                String failure = fetch();
                if (!after) {
                    if (failure == null) {
                        wholeBeforeDown.incrementAndGet();
                        wholeBefore.release();
                    } else {
                        failedBeforeDown.incrementAndGet();
                        failuresBefore.add(failure);
                    }
                } else {
                    if (failure == null) {
                        wholeAfterDown.incrementAndGet();
                    } else {
                        failedAfterDown.incrementAndGet();
                        failuresAfter.add(failure);
                    }
                    fetchedAfter.release();
                }
            }
        }

        /** One poem, fetched whole (null) or not (what went wrong). */
        private String fetch() {
            int port = 0;
            try (Socket socket = new Socket()) {
                socket.setSoTimeout((int) CLIENT_TIMEOUT.toMillis());
                socket.connect(new InetSocketAddress("127.0.0.1", front));
                port = socket.getLocalPort();
                try (InputStream in = reading.open(socket)) {
                    byte[] got = in.readAllBytes();
                    return Arrays.equals(got, poem) ? null
                            : "client port " + port + ": " + got.length + " bytes of " + poem.length;
                }
            } catch (IOException e) {
                return "client port " + port + ": " + e;
            }
        }

        void awaitWholeBeforeDown(int count) throws InterruptedException {
            assertTrue(wholeBefore.tryAcquire(count, CLIENT_TIMEOUT.toSeconds(), TimeUnit.SECONDS),
                    "poems served whole before the kill: " + wholeBeforeDown + ", failed: " + failedBeforeDown);
        }

        void markedDown() {
            down = true;
        }

        void awaitFetchesAfterDown(int count) throws InterruptedException {
            assertTrue(fetchedAfter.tryAcquire(count, CLIENT_TIMEOUT.toSeconds(), TimeUnit.SECONDS),
                    "fetches after the mark: " + (wholeAfterDown.get() + failedAfterDown.get()));
        }

        List<String> failuresBeforeDown() {
            return List.copyOf(failuresBefore);
        }

        List<String> failuresAfterDown() {
            return List.copyOf(failuresAfter);
        }

        int served() {
            return wholeBeforeDown.get() + wholeAfterDown.get();
        }

        int failed() {
            return failedBeforeDown.get() + failedAfterDown.get();
        }

        void stop() throws InterruptedException {
            stopping = true;
            for (Thread thread : threads) {
                assertTrue(thread.join(CLIENT_TIMEOUT), thread + " still fetching");
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop();
        }
    }

    /**
     * One client through HAProxy, connected at once and reading on a thread of its own: when the poem began to
     * arrive, and all of it.
     */
    private record SlowClient(int port, CompletableFuture<Void> started, CompletableFuture<byte[]> poem) {

        static SlowClient start(int front, Reading reading) throws IOException {
            Socket socket = new Socket("127.0.0.1", front);
            socket.setSoTimeout((int) CLIENT_TIMEOUT.toMillis());
            SlowClient client = new SlowClient(socket.getLocalPort(), new CompletableFuture<>(),
                    new CompletableFuture<>());
            Thread.ofVirtual().start(() -> {
                try (socket; InputStream in = reading.open(socket)) {
                    ByteArrayOutputStream got = new ByteArrayOutputStream();
                    int first = in.read();
                    client.started().complete(null);
                    if (first >= 0) {
                        got.write(first);
                        in.transferTo(got);
                    }
                    client.poem().complete(got.toByteArray());
                } catch (IOException e) {
                    client.started().completeExceptionally(e);
                    client.poem().completeExceptionally(e);
                }
            });
            return client;
        }

        /** Null if the whole poem came, else what went wrong. */
        String failure(byte[] whole) throws InterruptedException {
            try {
                byte[] got = poem.get(CLIENT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                return Arrays.equals(got, whole) ? null
                        : "client port " + port + ": " + got.length + " bytes of " + whole.length;
            } catch (Exception e) {
                return "client port " + port + ": " + e;
            }
        }
    }

    private static SSLContext trusting(Path certificate) throws Exception {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        try (var pem = Files.newInputStream(certificate)) {
            trusted.setCertificateEntry("pier", CertificateFactory.getInstance("X.509").generateCertificate(pem));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    private static void requireHaproxy() {
        boolean found = Files.isExecutable(HAPROXY);
        if (!found) {
            System.err.println("SKIPPED: haproxy is not installed: run scripts/install-test-peers "
                    + "(Debian: apt-get install haproxy)");
        }
        assumeTrue(found, "haproxy is not installed");
    }
}
