package dev.pier.app.poetry;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pier.app.PierProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code --metrics}: the health check and the Prometheus metrics of a serving command, run as a user runs it. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MetricsIT {

    private static final Duration EXIT = Duration.ofSeconds(20);
    private static final String READY = "Serving ecstasy\\.txt on tcp:\\d+:interface=127\\.0\\.0\\.1";
    private static final String METRICS_READY = "Metrics on tcp:(\\d+):interface=127\\.0\\.0\\.1";

    @TempDir
    Path dir;

    @Test
    void metricsAreInThePrometheusTextFormatWithAServiceAndEndpointPerSample() throws Exception {
        try (PierProcess server = PierProcess.start(dir, "poetry", "serve", "--port", "0",
                "--metrics", "tcp:0:interface=127.0.0.1")) {
            List<String> ready = server.readyLines(2);
            assertTrue(ready.get(0).matches(READY), ready.toString());
            int metricsPort = metricsPort(ready.get(1));
            String endpoint = ready.get(0).substring("Serving ecstasy.txt on ".length());

            assertArrayEquals(Peers.poemBytes("ecstasy.txt"), Peers.fetch(server.port()));

            Response health = get(metricsPort, "/healthz");
            assertEquals(200, health.status());
            assertEquals("ok\n", health.body());

            Response metrics = get(metricsPort, "/metrics");
            assertEquals(200, metrics.status());
            assertTrue(metrics.contentType().startsWith("text/plain; version=0.0.4"), metrics.contentType());
            Map<String, Double> samples = parseExposition(metrics.body());
            String labels = "{service=\"ecstasy.txt\",endpoint=\"" + endpoint + "\"}";
            assertEquals(1.0, samples.get("pier_up" + labels), samples.toString());
            assertEquals(0.0, samples.get("pier_draining" + labels), samples.toString());
            assertTrue(samples.containsKey("pier_connections_open" + labels), samples.toString());
            assertTrue(samples.get("pier_log_lines_dropped_total") >= 0, samples.toString());

            assertEquals(404, get(metricsPort, "/").status());
            assertEquals(404, get(metricsPort, "/metrics/more").status());

            server.terminate();
            assertEquals(0, server.exitStatus(EXIT));
            assertEquals(List.of(ready.get(0), ready.get(1), "Stopped"), server.stdout());
        }
    }

    @Test
    void healthFailsFromTheMomentADrainStartsUntilTheProcessExits() throws Exception {
        // 10 bytes every half second: the poem takes minutes, so the client is still reading while the drain goes on.
        try (PierProcess server = PierProcess.start(dir, "poetry", "serve", "--port", "0", "--delay", "0.5",
                "--num-bytes", "10", "--grace", "30", "--metrics", "tcp:0:interface=127.0.0.1")) {
            List<String> ready = server.readyLines(2);
            int metricsPort = metricsPort(ready.get(1));
            String labels = "{service=\"ecstasy.txt\",endpoint=\"" + ready.get(0).substring(
                    "Serving ecstasy.txt on ".length()) + "\"}";
            try (Socket client = new Socket("127.0.0.1", server.port())) {
                assertEquals(10, client.getInputStream().readNBytes(10).length);
                Map<String, Double> before = parseExposition(get(metricsPort, "/metrics").body());
                assertEquals(1.0, before.get("pier_connections_open" + labels), before.toString());
                assertEquals(200, get(metricsPort, "/healthz").status());

                server.terminate();
                server.awaitStderrLine(line -> line.startsWith("draining: 1 connection"));
                Response health = get(metricsPort, "/healthz");
                assertEquals(503, health.status());
                assertEquals("draining\n", health.body());
                Map<String, Double> during = parseExposition(get(metricsPort, "/metrics").body());
                assertEquals(1.0, during.get("pier_draining" + labels), during.toString());
                assertEquals(0.0, during.get("pier_up" + labels), during.toString());
            }   // the client leaves: the drain ends long before its grace period would
            assertEquals(0, server.exitStatus(EXIT));
            assertEquals(List.of(ready.get(0), ready.get(1), "Stopped"), server.stdout());
        }
    }

    @ParameterizedTest(name = "--concurrency {0}")
    @ValueSource(strings = {"reactor", "threads"})
    void behindHaproxyThePROXYHeadersAcceptedAndRejectedAreCounted(String concurrency) throws Exception {
        try (PierProcess server = PierProcess.start(dir, "poetry", "serve", "--concurrency", concurrency,
                "--listen", "haproxy:tcp:0:interface=127.0.0.1", "--metrics", "0")) {
            List<String> ready = server.readyLines(2);
            int metricsPort = metricsPort(ready.get(1));
            String labels = "{service=\"ecstasy.txt\",endpoint=\"" + ready.get(0).substring(
                    "Serving ecstasy.txt on ".length()) + "\"}";
            try (Socket proxied = new Socket("127.0.0.1", server.port())) {
                proxied.getOutputStream().write("PROXY TCP4 192.0.2.1 127.0.0.1 40000 10000\r\n".getBytes(UTF_8));
                assertArrayEquals(Peers.poemBytes("ecstasy.txt"), proxied.getInputStream().readAllBytes());
            }
            try (Socket direct = new Socket("127.0.0.1", server.port())) {
                direct.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(UTF_8));
                try {
                    assertEquals(0, direct.getInputStream().readAllBytes().length);
                } catch (IOException reset) {
                    // aborted: a reset is as good as an end
                }
            }
            Map<String, Double> samples = parseExposition(get(metricsPort, "/metrics").body());
            assertEquals(1.0, samples.get("pier_proxy_headers_accepted_total" + labels), samples.toString());
            assertEquals(1.0, samples.get("pier_proxy_headers_rejected_total" + labels), samples.toString());
        }
    }

    @ParameterizedTest(name = "--concurrency {0}")
    @ValueSource(strings = {"reactor", "threads"})
    void eachConnectionServedIsCountedWithItsBytes(String concurrency) throws Exception {
        try (PierProcess server = PierProcess.start(dir, "poetry", "serve", "--concurrency", concurrency,
                "--port", "0", "--metrics", "0")) {
            List<String> ready = server.readyLines(2);
            int metricsPort = metricsPort(ready.get(1));
            String labels = labels(ready.get(0));
            byte[] poem = Peers.poemBytes("ecstasy.txt");
            for (int i = 0; i < 2; i++) {
                assertArrayEquals(poem, Peers.fetch(server.port()));
            }
            // The server counts as it goes; what it sent before closing may be counted just after the client saw it.
            Map<String, Double> samples = awaitSample(metricsPort, "pier_bytes_sent_total" + labels, 2.0 * poem.length);
            assertEquals(2.0, samples.get("pier_connections_accepted_total" + labels), samples.toString());
            assertEquals(0.0, samples.get("pier_connections_refused_total" + labels), samples.toString());
            assertEquals(0.0, samples.get("pier_bytes_received_total" + labels), samples.toString());
            assertEquals(0.0, samples.get("pier_errors_total" + labels), samples.toString());
            Double lag = samples.get("pier_event_loop_lag_seconds" + labels);
            if (concurrency.equals("reactor")) {
                assertTrue(lag != null && lag >= 0 && lag < 1, samples.toString());
            } else {
                assertEquals(null, lag, "no event loop: " + samples);
            }
        }
    }

    @ParameterizedTest(name = "--concurrency {0}")
    @ValueSource(strings = {"reactor", "virtual"})
    void aFailedTlsHandshakeIsCountedAndItsConnectionRefused(String concurrency) throws Exception {
        PierProcess made = PierProcess.start(dir, "tls", "self-signed", "--out", "tls");
        assertEquals(0, made.exitStatus(EXIT), made.stderr());
        Path cert = dir.resolve("tls/cert.pem");
        try (PierProcess server = PierProcess.start(dir, "poetry", "serve", "--concurrency", concurrency,
                "--listen", "ssl:0:interface=127.0.0.1:privateKey=" + dir.resolve("tls/key.pem") + ":certKey=" + cert,
                "--metrics", "0")) {
            List<String> ready = server.readyLines(2);
            int metricsPort = metricsPort(ready.get(1));
            String labels = labels(ready.get(0));
            try (var tls = (SSLSocket) trusting(cert).getSocketFactory().createSocket("localhost", server.port())) {
                assertArrayEquals(Peers.poemBytes("ecstasy.txt"), tls.getInputStream().readAllBytes());
            }
            try (Socket plain = new Socket("127.0.0.1", server.port())) {
                plain.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(UTF_8));
                try {
                    plain.getInputStream().readAllBytes();   // the alert, then the end
                } catch (IOException reset) {
                    // as good as an end
                }
            }
            Map<String, Double> samples = awaitSample(metricsPort, "pier_connections_refused_total" + labels, 1.0);
            assertEquals(1.0, samples.get("pier_tls_handshakes_completed_total" + labels), samples.toString());
            assertEquals(1.0, samples.get("pier_tls_handshakes_failed_total" + labels), samples.toString());
            assertEquals(2.0, samples.get("pier_connections_accepted_total" + labels), samples.toString());
            assertEquals(0.0, samples.get("pier_errors_total" + labels), "a refusal is no error: " + samples);
            assertTrue(samples.get("pier_bytes_sent_total" + labels) > Peers.poemBytes("ecstasy.txt").length,
                    "TLS records, not the poem's bytes: " + samples);
        }
    }

    @Test
    void aMetricsPortInUseIsAFailureThatStopsTheServersStarted() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                PierProcess server = PierProcess.start(dir, "poetry", "serve", "--port", "0",
                        "--metrics", String.valueOf(taken.getLocalPort()))) {
            assertEquals(1, server.exitStatus(EXIT));
            assertEquals(List.of("pier: address already in use: tcp:" + taken.getLocalPort()
                    + ":interface=127.0.0.1 (--metrics)"), server.stderr().lines()
                    .filter(line -> line.startsWith("pier:")).toList(), server.stderr());
            assertEquals(List.of(), server.stdout());
        }
    }

    @Test
    void metricsOverAnythingButTcpIsABadCommandLine() throws Exception {
        try (PierProcess server = PierProcess.start(dir, "poetry", "serve", "--port", "0", "--metrics", "udp:0")) {
            assertEquals(2, server.exitStatus(EXIT));
            assertEquals(List.of("pier poetry serve: --metrics: the metrics are served over HTTP on "
                    + "tcp:PORT[:interface=HOST], not udp:0", "Try 'pier poetry serve --help'."),
                    server.stderr().lines().toList());
            assertEquals(List.of(), server.stdout());
        }
    }

    private static int metricsPort(String line) {
        Matcher matcher = Pattern.compile(METRICS_READY).matcher(line);
        assertTrue(matcher.matches(), line);
        return Integer.parseInt(matcher.group(1));
    }

    /** The labels of the server a ready line names. */
    private static String labels(String readyLine) {
        return "{service=\"ecstasy.txt\",endpoint=\"" + readyLine.substring("Serving ecstasy.txt on ".length()) + "\"}";
    }

    /** The metrics once the sample {@code key} has {@code value}, polled for a few seconds. */
    private static Map<String, Double> awaitSample(int port, String key, double value) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        Map<String, Double> samples = parseExposition(get(port, "/metrics").body());
        while (!Double.valueOf(value).equals(samples.get(key)) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            samples = parseExposition(get(port, "/metrics").body());
        }
        assertEquals(value, samples.get(key), key + " in " + samples);
        return samples;
    }

    /** A client context that trusts the self-signed certificate in {@code cert}. */
    private static SSLContext trusting(Path cert) throws Exception {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        try (InputStream in = Files.newInputStream(cert)) {
            trusted.setCertificateEntry("server", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    record Response(int status, String contentType, String body) {}

    /** One HTTP/1.1 request on a connection of its own, which the server closes after the response. */
    private static Response get(int port, String path) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").getBytes(UTF_8));
            out.flush();
            String response = new String(socket.getInputStream().readAllBytes(), UTF_8);
            int headersEnd = response.indexOf("\r\n\r\n");
            assertTrue(headersEnd > 0, response);
            String[] head = response.substring(0, headersEnd).split("\r\n");
            String[] statusLine = head[0].split(" ", 3);
            assertEquals("HTTP/1.1", statusLine[0], head[0]);
            String type = "";
            for (int i = 1; i < head.length; i++) {
                int colon = head[i].indexOf(':');
                if (head[i].substring(0, colon).equalsIgnoreCase("Content-Type")) {
                    type = head[i].substring(colon + 1).strip();
                }
            }
            return new Response(Integer.parseInt(statusLine[1]), type, response.substring(headersEnd + 4));
        }
    }

    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\""
                    + "(?:,[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\")*)?})? (\\S+)");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    /**
     * The samples of a Prometheus text exposition, by name and labels as written, strictly: every line a HELP, a TYPE
     * or a sample; a family's HELP and TYPE once each, before its samples; its samples together; every value a double;
     * no sample twice; the text ending in a line feed.
     */
    static Map<String, Double> parseExposition(String text) {
        assertTrue(text.endsWith("\n"), "ends with a line feed: " + text);
        Map<String, Double> samples = new LinkedHashMap<>();
        Set<String> helped = new HashSet<>();
        Set<String> typed = new HashSet<>();
        String current = null;
        for (String line : text.substring(0, text.length() - 1).split("\n", -1)) {
            if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
                String[] parts = line.split(" ", 4);
                assertEquals(4, parts.length, line);
                String name = parts[2];
                assertTrue(NAME.matcher(name).matches(), line);
                assertTrue(samples.keySet().stream().noneMatch(key -> key.equals(name) || key.startsWith(name + "{")),
                        "HELP or TYPE after the samples: " + line);
                if (parts[1].equals("HELP")) {
                    assertTrue(helped.add(name), "HELP twice: " + line);
                } else {
                    assertTrue(TYPES.contains(parts[3]), line);
                    assertTrue(typed.add(name), "TYPE twice: " + line);
                }
                current = name;
            } else {
                assertTrue(!line.startsWith("#") && !line.isBlank(), "not a sample: '" + line + "'");
                Matcher sample = SAMPLE.matcher(line);
                assertTrue(sample.matches(), "not a sample: " + line);
                String name = sample.group(1);
                assertTrue(helped.contains(name) && typed.contains(name), "no HELP and TYPE before " + line);
                assertEquals(current, name, "samples of a family together: " + line);
                double value = Double.parseDouble(sample.group(3));
                String key = name + (sample.group(2) == null ? "" : sample.group(2));
                assertTrue(samples.put(key, value) == null, "sample twice: " + line);
            }
        }
        return samples;
    }
}
