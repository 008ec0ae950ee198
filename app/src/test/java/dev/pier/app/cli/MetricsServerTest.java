package dev.pier.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
}
