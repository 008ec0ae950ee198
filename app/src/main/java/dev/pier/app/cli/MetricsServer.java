package dev.pier.app.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.pier.endpoint.Endpoint;
import dev.pier.endpoint.ServerEndpoint;
import dev.pier.endpoint.TcpEndpoint;
import dev.pier.layer.LayerFactory;
import dev.pier.metrics.ServerStatistics;
import dev.pier.proxy.ProxyProtocol;
import dev.pier.tls.TlsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * The HTTP server of {@code --metrics}, beside the servers of a command: {@code GET /healthz} answers {@code 200 ok}
 * while they serve and {@code 503 draining} from the moment a stop begins, so that a load balancer sends no new
 * clients during the drain; {@code GET /metrics} gives what they count in Prometheus's text format. Anything else is
 * a 404. It reads the servers' counters from its own threads, and only counters that are safe to read so.
 */
final class MetricsServer implements AutoCloseable {

    /** The content type of Prometheus's text exposition format. */
    static final String METRICS_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    /** One server of the command: the service name its ready line gives, and the server. */
    record Served(String service, RunningServer server) {}

    private final HttpServer http;
    private final ExecutorService handlers;
    private final TcpEndpoint endpoint;
    private final List<Served> served;
    private final Supplier<OptionalLong> droppedLogLines;
    private volatile boolean draining;

    private MetricsServer(HttpServer http, ExecutorService handlers, TcpEndpoint endpoint, List<Served> served,
            Supplier<OptionalLong> droppedLogLines) {
        this.http = http;
        this.handlers = handlers;
        this.endpoint = endpoint;
        this.served = List.copyOf(served);
        this.droppedLogLines = droppedLogLines;
    }

    /**
     * The endpoint a {@code --metrics} description names: a bare port means that port on {@code 127.0.0.1}, this
     * machine only; otherwise a {@code tcp:} endpoint description, without layers.
     *
     * @throws IllegalArgumentException if it names no TCP endpoint
     */
    static TcpEndpoint parse(String description) {
        String text = description.strip();
        if (!text.isEmpty() && text.chars().allMatch(Character::isDigit)) {
            text = "tcp:" + text + ":interface=" + ServiceOptions.DEFAULT_INTERFACE;
        }
        ServerEndpoint endpoint = Endpoint.parseServer(text);
        if (endpoint instanceof TcpEndpoint tcp) {
            return tcp;
        }
        throw new IllegalArgumentException("the metrics are served over HTTP on tcp:PORT[:interface=HOST], not "
                + endpoint.describe());
    }

    /**
     * Listens on {@code endpoint} and serves the health and metrics of {@code served} in the background, until
     * {@link #close()}.
     *
     * @throws CommandFailure if the endpoint cannot be bound
     */
    static MetricsServer start(TcpEndpoint endpoint, List<Served> served, Supplier<OptionalLong> droppedLogLines) {
        HttpServer http;
        try {
            http = HttpServer.create(endpoint.socketAddress(), 0);
        } catch (IOException | UncheckedIOException e) {
            Throwable cause = e instanceof UncheckedIOException unchecked ? unchecked.getCause() : e;
            String reason = Messages.reason(cause);
            throw new CommandFailure(reason.toLowerCase(Locale.ROOT).contains("address already in use")
                    ? "address already in use: " + endpoint.describe() + " (--metrics)"
                    : "cannot listen on " + endpoint.describe() + " (--metrics): " + reason, cause);
        }
        // A thread per exchange: a slow client of the metrics holds up nobody else.
        ExecutorService handlers = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("pier-metrics-", 0).factory());
        MetricsServer server = new MetricsServer(http, handlers, endpoint, served, droppedLogLines);
        http.createContext("/", server::handle);
        http.setExecutor(handlers);
        http.start();
        return server;
    }

    /** Where it listens, with the real bound port, e.g. {@code tcp:9100:interface=127.0.0.1}. */
    String endpoint() {
        return endpoint.bound(http.getAddress()).describe();
    }

    /** From now on {@code /healthz} answers 503: a stop began. */
    void draining() {
        draining = true;
    }

    /** Stops listening and closes every connection at once. */
    @Override
    public void close() {
        http.stop(0);
        handlers.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            boolean known = "/healthz".equals(path) || "/metrics".equals(path);
            if (!known) {
                respond(exchange, 404, "text/plain; charset=utf-8", "not found\n");
            } else if (!"GET".equals(method) && !"HEAD".equals(method)) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                respond(exchange, 405, "text/plain; charset=utf-8", "method not allowed\n");
            } else if ("/healthz".equals(path)) {
                boolean isDraining = draining;
                respond(exchange, isDraining ? 503 : 200, "text/plain; charset=utf-8",
                        isDraining ? "draining\n" : "ok\n");
            } else {
                respond(exchange, 200, METRICS_TYPE, exposition());
            }
        }
    }

    private static void respond(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** The metrics in Prometheus's text exposition format, each family's HELP and TYPE before its samples. */
    String exposition() {
        boolean isDraining = draining;
        StringBuilder text = new StringBuilder();

        family(text, "pier_up", "gauge", "1 while the server accepts new connections, 0 once it stops");
        for (Served one : served) {
            sample(text, "pier_up", labels(one), !isDraining && !one.server().finished().isDone() ? 1 : 0);
        }

        family(text, "pier_draining", "gauge", "1 from the moment a stop begins, while the requests in progress "
                + "finish");
        for (Served one : served) {
            sample(text, "pier_draining", labels(one), isDraining ? 1 : 0);
        }

        // Servers on the same event loops report the loops' connections: one sample for them, naming its servers.
        Map<Object, List<Served>> byCounter = new IdentityHashMap<>();
        List<Object> counters = new ArrayList<>();
        for (Served one : served) {
            byCounter.computeIfAbsent(one.server().counter(), counter -> {
                counters.add(counter);
                return new ArrayList<>();
            }).add(one);
        }
        StringBuilder open = new StringBuilder();
        StringBuilder lag = new StringBuilder();
        for (Object counter : counters) {
            List<Served> sharing = byCounter.get(counter);
            OptionalInt count = sharing.getFirst().server().inProgress();
            if (count.isPresent()) {
                sample(open, "pier_connections_open", labels(sharing), count.getAsInt());
            }
            sharing.getFirst().server().loopLag().ifPresent(
                    late -> sample(lag, "pier_event_loop_lag_seconds", labels(sharing), seconds(late)));
        }
        if (!open.isEmpty()) {
            family(text, "pier_connections_open", "gauge", "Connections open (event loop), or requests being "
                    + "handled (blocking model); servers sharing an event loop are one sample");
            text.append(open);
        }

        List<Counted> counted = new ArrayList<>();
        for (Served one : served) {
            one.server().statistics().ifPresent(statistics -> counted.add(new Counted(one, statistics)));
        }
        counterFamily(text, counted, "pier_connections_accepted_total", "Connections taken from the listening "
                + "socket, those refused afterwards included", false, ServerStatistics::accepted);
        counterFamily(text, counted, "pier_connections_refused_total", "Accepted connections closed without being "
                + "served: turned down by the server, or their TLS handshake or PROXY header failed",
                false, ServerStatistics::refused);
        counterFamily(text, counted, "pier_bytes_received_total", "Bytes read from the connections' sockets, TLS "
                + "records as they came (not counted with --concurrency forking)", true,
                ServerStatistics::bytesReceived);
        counterFamily(text, counted, "pier_bytes_sent_total", "Bytes written to the connections' sockets, TLS "
                + "records as they went (not counted with --concurrency forking)", true, ServerStatistics::bytesSent);
        counterFamily(text, counted, "pier_errors_total", "Connections whose serving code threw: a protocol callback "
                + "(event loop) or a request handler (blocking model; with forking, a child that exited with a "
                + "failure); a refused connection is not an error", false, ServerStatistics::errors);

        StringBuilder completed = new StringBuilder();
        StringBuilder failed = new StringBuilder();
        for (Served one : served) {
            for (LayerFactory layer : one.server().layers()) {
                if (layer instanceof TlsServer tls && one.server().servesInProcess()) {
                    sample(completed, "pier_tls_handshakes_completed_total", labels(one), tls.completedHandshakes());
                    sample(failed, "pier_tls_handshakes_failed_total", labels(one), tls.failedHandshakes());
                }
            }
        }
        if (!completed.isEmpty()) {
            family(text, "pier_tls_handshakes_completed_total", "counter", "TLS handshakes completed");
            text.append(completed);
            family(text, "pier_tls_handshakes_failed_total", "counter", "TLS handshakes failed: a client that spoke "
                    + "no TLS, refused the certificate, or did not finish in time");
            text.append(failed);
        }

        if (!lag.isEmpty()) {
            family(text, "pier_event_loop_lag_seconds", "gauge", "How late the event loop ran a call scheduled for "
                    + "now, measured once a second (a call still waiting counts as long as it has waited); servers "
                    + "sharing an event loop are one sample");
            text.append(lag);
        }

        StringBuilder accepted = new StringBuilder();
        StringBuilder rejected = new StringBuilder();
        for (Served one : served) {
            for (LayerFactory layer : one.server().layers()) {
                if (layer instanceof ProxyProtocol proxy) {
                    sample(accepted, "pier_proxy_headers_accepted_total", labels(one), proxy.acceptedConnections());
                    sample(rejected, "pier_proxy_headers_rejected_total", labels(one), proxy.rejectedConnections());
                }
            }
        }
        if (!accepted.isEmpty()) {
            family(text, "pier_proxy_headers_accepted_total", "counter",
                    "Connections whose PROXY protocol header was read and that were passed on");
            text.append(accepted);
            family(text, "pier_proxy_headers_rejected_total", "counter",
                    "Connections aborted for a malformed, incomplete or late PROXY protocol header");
            text.append(rejected);
        }

        OptionalLong dropped = droppedLogLines.get();
        if (dropped.isPresent()) {
            family(text, "pier_log_lines_dropped_total", "counter",
                    "Log lines dropped because the log output was not being read or could not keep up");
            sample(text, "pier_log_lines_dropped_total", "", dropped.getAsLong());
        }
        return text.toString();
    }

    /** A server's statistics, for a family per count. */
    private record Counted(Served served, ServerStatistics statistics) {}

    /**
     * A counter family with a sample per server that counts it; {@code inProcessOnly}: not for servers whose children
     * serve their connections (forking), as this process does not see what it counts.
     */
    private static void counterFamily(StringBuilder text, List<Counted> counted, String name, String help,
            boolean inProcessOnly, ToLongFunction<ServerStatistics> count) {
        StringBuilder samples = new StringBuilder();
        for (Counted one : counted) {
            if (!inProcessOnly || one.served().server().servesInProcess()) {
                sample(samples, name, labels(one.served()), count.applyAsLong(one.statistics()));
            }
        }
        if (!samples.isEmpty()) {
            family(text, name, "counter", help);
            text.append(samples);
        }
    }

    /** A duration in seconds, as the text format writes a float: {@code 0.000125}. */
    private static String seconds(Duration duration) {
        return BigDecimal.valueOf(duration.toNanos(), 9).stripTrailingZeros().toPlainString();
    }

    private static void family(StringBuilder text, String name, String type, String help) {
        text.append("# HELP ").append(name).append(' ').append(help).append('\n');
        text.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void sample(StringBuilder text, String name, String labels, long value) {
        sample(text, name, labels, Long.toString(value));
    }

    private static void sample(StringBuilder text, String name, String labels, String value) {
        text.append(name).append(labels).append(' ').append(value).append('\n');
    }

    private static String labels(Served one) {
        return labels(List.of(one));
    }

    private static String labels(List<Served> servers) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("service", String.join(",", servers.stream().map(Served::service).toList()));
        labels.put("endpoint", String.join(",", servers.stream().map(one -> one.server().endpoint()).toList()));
        StringBuilder text = new StringBuilder("{");
        labels.forEach((name, value) -> {
            if (text.length() > 1) {
                text.append(',');
            }
            text.append(name).append("=\"").append(escape(value)).append('"');
        });
        return text.append('}').toString();
    }

    /** A label value as the text format writes it: backslash, double quote and line feed escaped. */
    static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
