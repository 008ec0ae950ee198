package dev.pier.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pier.metrics.ServerStatistics;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MetricsServerTest {

    @Test
    void aBarePortIsThisMachineOnly() {
        assertEquals("tcp:9100:interface=127.0.0.1", MetricsServer.parse("9100").describe());
        assertEquals("tcp:0:interface=127.0.0.1", MetricsServer.parse("0").describe());
    }

    @Test
    void aTcpEndpointMeansWhatItMeansForListen() {
        assertEquals("tcp:9100:interface=\\:\\:1", MetricsServer.parse("tcp:9100:interface=\\:\\:1").describe());
        assertEquals("tcp:9100", MetricsServer.parse("tcp:9100").describe());
    }

    @ParameterizedTest
    @ValueSource(strings = {"udp:0", "unix:/tmp/m.sock", "haproxy:tcp:0", "unixgram:/tmp/m.sock"})
    void anythingButPlainTcpIsRefused(String description) {
        IllegalArgumentException refused =
                assertThrows(IllegalArgumentException.class, () -> MetricsServer.parse(description));
        assertEquals("the metrics are served over HTTP on tcp:PORT[:interface=HOST], not " + description,
                refused.getMessage());
    }

    @Test
    void labelValuesEscapeBackslashQuoteAndLineFeed() {
        assertEquals("unix:a\\\\b\\\"c\\nd", MetricsServer.escape("unix:a\\b\"c\nd"));
    }

    @Test
    void eachServerCountsItsConnectionsAndEachLoopItsLag() {
        Object loop = new Object();
        var reactor = new Fake("tcp:7000", loop, new ServerStatistics(5, 1, 300, 4000, 2), true,
                Duration.ofNanos(125_000));
        var forking = new Fake("tcp:7001", null, new ServerStatistics(3, 0, 0, 0, 1), false, null);
        try (MetricsServer metrics = MetricsServer.start(MetricsServer.parse("0"),
                List.of(new MetricsServer.Served("a", reactor), new MetricsServer.Served("b", forking)),
                OptionalLong::empty)) {
            String text = metrics.exposition();
            String a = "{service=\"a\",endpoint=\"tcp:7000\"}";
            String b = "{service=\"b\",endpoint=\"tcp:7001\"}";
            List<String> lines = text.lines().filter(line -> !line.startsWith("#")).toList();
            for (String expected : List.of("pier_connections_accepted_total" + a + " 5",
                    "pier_connections_accepted_total" + b + " 3", "pier_connections_refused_total" + a + " 1",
                    "pier_bytes_received_total" + a + " 300", "pier_bytes_sent_total" + a + " 4000",
                    "pier_errors_total" + a + " 2", "pier_errors_total" + b + " 1",
                    "pier_event_loop_lag_seconds" + a + " 0.000125")) {
                assertTrue(lines.contains(expected), expected + " in\n" + text);
            }
            assertEquals(List.of(), lines.stream().filter(line -> line.startsWith("pier_bytes") && line.contains(b))
                    .toList(), "a forking parent does not see its children's bytes");
        }
    }

    /** A server that reports fixed numbers. */
    private record Fake(String endpoint, Object loop, ServerStatistics counted, boolean servesInProcess,
            Duration lag) implements RunningServer {

        @Override
        public SocketAddress address() {
            return new InetSocketAddress(0);
        }

        @Override
        public CompletableFuture<Void> finished() {
            return new CompletableFuture<>();
        }

        @Override
        public void stop(Duration grace) {
        }

        @Override
        public OptionalInt inProgress() {
            return OptionalInt.of(0);
        }

        @Override
        public Object counter() {
            return loop == null ? this : loop;
        }

        @Override
        public Optional<ServerStatistics> statistics() {
            return Optional.of(counted);
        }

        @Override
        public Optional<Duration> loopLag() {
            return Optional.ofNullable(lag);
        }
    }
}
