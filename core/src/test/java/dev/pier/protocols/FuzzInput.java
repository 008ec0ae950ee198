package dev.pier.protocols;

import dev.pier.reactor.Transport;
import dev.pier.testing.FakeTransport;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A fuzz input for a receiver: a few leading bytes choose the receiver's settings and how the rest, the bytes sent,
 * is cut into packets. Readable seeds follow from that layout: settings bytes, then plain protocol text.
 */
final class FuzzInput {

    private final byte[] data;
    private final int headerLength;

    /** {@code data} whose first {@code headerLength} bytes (zero if absent) are settings. */
    FuzzInput(byte[] data, int headerLength) {
        this.data = data;
        this.headerLength = headerLength;
    }

    /** Settings byte {@code index}, from 0 to 255. */
    int setting(int index) {
        return index < data.length ? data[index] & 0xff : 0;
    }

    /** The bytes sent to the receiver. */
    byte[] sent() {
        return Arrays.copyOfRange(data, Math.min(headerLength, data.length), data.length);
    }

    /**
     * The bytes sent, cut into packets whose sizes a seed chooses: mostly a few bytes, so that every message boundary
     * falls inside a packet somewhere, sometimes empty, sometimes larger.
     */
    byte[][] packets(int seed) {
        byte[] sent = sent();
        SplittableRandom random = new SplittableRandom(seed);
        List<byte[]> packets = new ArrayList<>();
        for (int at = 0; at < sent.length; ) {
            int size = Math.min(sent.length - at, random.nextInt(8) == 0 ? random.nextInt(64) : random.nextInt(5));
            packets.add(Arrays.copyOfRange(sent, at, at + size));
            at += size;
        }
        return packets.toArray(byte[][]::new);
    }

    /**
     * Feeds {@code packets} one at a time, resuming reading after each whenever the protocol paused it, as a reactor
     * would once the application catches up.
     */
    static void receive(FakeTransport transport, Transport protocolTransport, byte[][] packets) {
        for (byte[] packet : packets) {
            transport.receive(packet);
            while (transport.isReadingPaused()) {
                protocolTransport.resumeReading();
            }
        }
    }
}
