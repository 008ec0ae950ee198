package dev.pier.reactor.internal;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * The loop's supply of chunks that queued writes are copied into. Chunks are direct buffers, so a gathering write
 * hands them to the kernel without the JDK's extra copy into a temporary direct buffer, and they are reused: a
 * drained chunk goes back to a small free list. Past a budget of direct memory in use, chunks are ordinary heap
 * buffers (correct, one copy slower), so ten thousand connections with unsent data cannot exhaust direct memory.
 * Loop thread only.
 */
final class WriteChunks {

    static final int SIZE = 16 * 1024;
    private static final int MAX_FREE = 256;   // 4 MiB kept for reuse

    /** The default budget: an eighth of the heap (the JDK's default direct-memory limit is the heap's size). */
    static final long DEFAULT_DIRECT_BUDGET = Math.min(64L << 20, Runtime.getRuntime().maxMemory() / 8);

    private final ArrayDeque<ByteBuffer> free = new ArrayDeque<>();
    private final long directBudget;
    private long directInUse;

    WriteChunks(long directBudget) {
        this.directBudget = directBudget;
    }

    /** An empty chunk in read mode (position = limit = 0), ready to be appended to. */
    ByteBuffer take() {
        ByteBuffer chunk = free.pollLast();
        if (chunk == null) {
            if (directInUse + SIZE <= directBudget) {
                directInUse += SIZE;
                chunk = ByteBuffer.allocateDirect(SIZE);
            } else {
                chunk = ByteBuffer.allocate(SIZE);
            }
        }
        return chunk.limit(0);
    }

    /** Returns a chunk no longer queued anywhere. */
    void give(ByteBuffer chunk) {
        if (!chunk.isDirect()) {
            return;
        }
        if (free.size() < MAX_FREE) {
            free.addLast(chunk);
        } else {
            directInUse -= SIZE;   // dropped: the garbage collector frees it
        }
    }
}
