package dev.pier.reactor.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Write chunks: direct and reused within the budget, heap beyond it. */
@Timeout(10)
class WriteChunksTest {

    @Test
    void directWithinTheBudgetHeapBeyondAndDrainedChunksAreReused() {
        WriteChunks chunks = new WriteChunks(2L * WriteChunks.SIZE);
        ByteBuffer first = chunks.take();
        ByteBuffer second = chunks.take();
        ByteBuffer third = chunks.take();
        assertTrue(first.isDirect() && second.isDirect(), "within the budget");
        assertFalse(third.isDirect(), "past the budget");
        assertEquals(0, first.remaining(), "handed out empty");

        second.limit(100).position(40);   // as if written to and partly sent
        chunks.give(second);
        chunks.give(third);
        ByteBuffer again = chunks.take();
        assertSame(second, again, "a drained direct chunk is reused");
        assertEquals(0, again.position());
        assertEquals(0, again.limit());
        assertFalse(chunks.take().isDirect(), "the heap chunk was not kept and the budget is still in use");
    }
}
