package dev.pier.reactor.internal;

import dev.pier.metrics.ServerStatistics;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;

/**
 * What a stream port and its connections count, kept per loop: each loop's counts are written by that loop's thread
 * alone, with plain arithmetic and an opaque store (no fence, no atomic instruction: a read of the socket costs one
 * add), and summed by whoever asks for a {@link ServerStatistics}, on any thread. Opaque accesses make each count
 * whole and never older than one already seen; a snapshot may lag the loops by a few operations.
 *
 * <p>The counts of one loop sit {@value #STRIDE} longs apart from the next loop's, in one array, so that loops
 * counting at once never write the same cache line.
 */
final class PortCounters {

    static final int ACCEPTED = 0;
    static final int REFUSED = 1;
    static final int RECEIVED = 2;
    static final int SENT = 3;
    static final int ERRORS = 4;
    /** 128 bytes: two cache lines, as the hardware prefetches lines in pairs. */
    private static final int STRIDE = 16;
    private static final VarHandle COUNTS = MethodHandles.arrayElementVarHandle(long[].class);

    private final List<EventLoop> loops;
    private final long[] counts;

    /** Counts for connections on any of {@code loops}. */
    PortCounters(List<EventLoop> loops) {
        this.loops = List.copyOf(loops);
        // A stride of padding before the first loop's counts and after the last's: the array's neighbours in memory
        // are written by other threads too.
        this.counts = new long[(this.loops.size() + 2) * STRIDE];
    }

    /** Where {@code loop}'s counts start; {@link #add} takes it plus one of the counts' offsets. */
    int base(EventLoop loop) {
        int index = loops.indexOf(loop);
        if (index < 0) {
            throw new IllegalArgumentException("not a loop of this port: " + loop);
        }
        return (index + 1) * STRIDE;
    }

    /** Adds {@code amount} to the count at {@code slot}; only on the thread of the loop that owns the slot. */
    void add(int slot, long amount) {
        COUNTS.setOpaque(counts, slot, counts[slot] + amount);
    }

    /** The sum of every loop's counts; safe from any thread. */
    ServerStatistics snapshot() {
        long[] sums = new long[ERRORS + 1];
        for (int base = STRIDE; base < counts.length - STRIDE; base += STRIDE) {
            for (int i = 0; i < sums.length; i++) {
                sums[i] += (long) COUNTS.getOpaque(counts, base + i);
            }
        }
        return new ServerStatistics(sums[ACCEPTED], sums[REFUSED], sums[RECEIVED], sums[SENT], sums[ERRORS]);
    }
}
