package dev.pier.proxy;

import static dev.pier.proxy.ProxyTesting.ascii;
import static dev.pier.proxy.ProxyTesting.concat;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pier.proxy.ProxyTesting.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random and mangled input, in random chunks: the layer never throws, and every connection ends one of two ways,
 * passed on to the protocol or aborted, never both and never neither once the timeout has passed.
 */
class ProxyHeaderFuzzTest {

    private static final long SEED = 0x5052_4f58_5900L;
    private static final int CASES = 20_000;

    @Test
    void randomBytes() {
        Random random = new Random(SEED);
        for (int i = 0; i < CASES; i++) {
            byte[] input = new byte[random.nextInt(200)];
            random.nextBytes(input);
            check(input, random);
        }
    }

    @Test
    void randomBytesAfterAValidStart() {
        Random random = new Random(SEED + 1);
        List<byte[]> starts = List.of(ascii("PROXY "), ascii("PROXY TCP4 "), ascii("PROXY TCP6 "),
                ascii("PROXY UNKNOWN"), ProxyHeaderDecoder.V2_SIGNATURE,
                concat(ProxyHeaderDecoder.V2_SIGNATURE, new byte[] {0x21, 0x11}),
                concat(ProxyHeaderDecoder.V2_SIGNATURE, new byte[] {0x21, 0x31, 0x00, (byte) 0xd8}));
        for (int i = 0; i < CASES; i++) {
            byte[] tail = new byte[random.nextInt(300)];
            random.nextBytes(tail);
            check(concat(starts.get(random.nextInt(starts.size())), tail), random);
        }
    }

    @Test
    void validHeadersWithBytesChangedOrCut() {
        Random random = new Random(SEED + 2);
        List<byte[]> headers = ProxyHeaderLayerTest.validHeaders();
        for (int i = 0; i < CASES; i++) {
            byte[] input = concat(headers.get(random.nextInt(headers.size())), ascii("data"));
            for (int flips = random.nextInt(4); flips > 0; flips--) {
                int at = random.nextInt(input.length);
                input[at] = random.nextBoolean() ? (byte) random.nextInt(256) : (byte) (input[at] ^ 1 << random.nextInt(8));
            }
            if (random.nextInt(4) == 0) {
                input = Arrays.copyOf(input, random.nextInt(input.length + 1));
            }
            check(input, random);
        }
    }

    /** Feeds {@code input} in random chunks, then lets the timeout pass, and checks how the connection ended. */
    private static void check(byte[] input, Random random) {
        String what = HexFormat.of().formatHex(input);
        Connection c = new Connection();
        List<byte[]> chunks = new ArrayList<>();
        for (int at = 0; at < input.length; ) {
            int size = 1 + random.nextInt(Math.max(1, input.length - at));
            chunks.add(Arrays.copyOfRange(input, at, Math.min(input.length, at + size)));
            at += size;
        }
        assertDoesNotThrow(() -> {
            c.receive(chunks.toArray(byte[][]::new));
            c.clock.advance(Duration.ofSeconds(5));
        }, what);
        boolean made = c.protocol.made();
        assertNotEquals(made, c.transport.isAborted(), "either passed on or aborted: " + what);
        assertEquals(made ? 1 : 0, c.proxy.acceptedConnections(), what);
        assertEquals(made ? 0 : 1, c.proxy.rejectedConnections(), what);
        assertTrue(c.clock.pendingCalls().isEmpty(), what);
    }
}
