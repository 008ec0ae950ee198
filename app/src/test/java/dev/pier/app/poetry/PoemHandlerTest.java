package dev.pier.app.poetry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pier.testing.ManualClock;
import dev.pier.testing.StreamHandlerHarness;
import java.net.StandardSocketOptions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The blocking model's poetry handler, run in memory, its pauses on a manual clock. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class PoemHandlerTest {

    private static final Poem SCIENCE = Poem.bundled("science.txt");

    private final LogCapture log = new LogCapture(PoemHandler.class);
    private final ManualClock clock = new ManualClock();
    private final PoemHandler.Timing manualTiming = new PoemHandler.Timing() {
        @Override
        public long nanoTime() {
            return clock.nanoTime();
        }

        @Override
        public void pause(Duration duration) {
            clock.advance(duration);
        }
    };

    @AfterEach
    void stop() {
        log.close();
    }

    private StreamHandlerHarness serve(Pace pace, StreamHandlerHarness client) throws Exception {
        client.run(() -> new PoemHandler(SCIENCE, pace, manualTiming));
        return client;
    }

    @Test
    void fastAndSlowSendTheSameBytesAsTheFile() throws Exception {
        assertArrayEquals(SCIENCE.text(), serve(Pace.FAST, new StreamHandlerHarness()).written());
        assertArrayEquals(SCIENCE.text(),
                serve(Pace.slow(100, Duration.ofMillis(5)), new StreamHandlerHarness()).written());
        List<String> served = log.await("served 653 bytes to ", 2, Duration.ZERO);
        assertEquals(2, served.size(), log.messages().toString());
        assertEquals(List.of("in 0 ms", "in 30 ms"), served.stream()
                .map(line -> line.replaceAll(".*(in \\d+ ms).*", "$1")).toList(), "six pauses between seven chunks");
    }

    @Test
    void aWholePoemEndsWithAnOrderlyClose() throws Exception {
        StreamHandlerHarness client = serve(Pace.FAST, new StreamHandlerHarness());
        assertEquals(-1, client.option(StandardSocketOptions.SO_LINGER));
    }

    @Test
    void aClientLeavingEarlyIsLoggedWithWhatItGotAndTheCloseIsAReset() throws Exception {
        StreamHandlerHarness quitter = serve(Pace.slow(10, Duration.ofMillis(20)),
                new StreamHandlerHarness().clientReadsAtMost(10));
        assertEquals(10, quitter.written().length);
        assertEquals(0, quitter.option(StandardSocketOptions.SO_LINGER), "a poem cut short ends with a reset");
        List<String> early = log.await("left early after", 1, Duration.ZERO);
        assertEquals(1, early.size(), log.messages().toString());
        assertTrue(early.getFirst().contains(" after 10 of 653 bytes in 20 ms"), early.getFirst());
        assertArrayEquals(SCIENCE.text(), serve(Pace.slow(10, Duration.ofMillis(20)), new StreamHandlerHarness())
                .written(), "the next client is served as usual");
    }
}
