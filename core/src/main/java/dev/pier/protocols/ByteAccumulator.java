package dev.pier.protocols;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The input bytes a receiver holds until they form a whole message: a growable array with a read window
 * {@code [start, end)}. Bytes are compacted to the front only between deliveries, because views of the array are
 * handed to callbacks during a delivery; an array grown past {@link #RETAINED_CAPACITY} is dropped once empty, so a
 * single large message does not pin memory for the life of the connection.
 */
final class ByteAccumulator {

    private static final int INITIAL_CAPACITY = 1024;
    private static final int RETAINED_CAPACITY = 64 * 1024;
    private static final byte[] EMPTY = new byte[0];

    private byte[] array = EMPTY;
    private int start;
    private int end;

    byte[] array() {
        return array;
    }

    int start() {
        return start;
    }

    int end() {
        return end;
    }

    int readable() {
        return end - start;
    }

    /** Appends the remaining bytes of {@code data}; moves bytes in place only if {@code mayCompact}. */
    void append(ByteBuffer data, boolean mayCompact) {
        int length = data.remaining();
        ensureWritable(length, mayCompact);
        data.get(array, end, length);
        end += length;
    }

    /** Puts {@code bytes} before the unread bytes, in a new array so that views handed out stay intact. */
    void prepend(byte[] bytes) {
        int readable = readable();
        byte[] joined = new byte[Math.max(INITIAL_CAPACITY, bytes.length + readable)];
        System.arraycopy(bytes, 0, joined, 0, bytes.length);
        System.arraycopy(array, start, joined, bytes.length, readable);
        array = joined;
        start = 0;
        end = bytes.length + readable;
    }

    void consume(int count) {
        start += count;
    }

    void clear() {
        start = end;
    }

    /** Moves the unread bytes to the front, or releases a large array when nothing is unread. */
    void compact() {
        if (start == end) {
            start = 0;
            end = 0;
            if (array.length > RETAINED_CAPACITY) {
                array = EMPTY;
            }
        } else if (start > 0 && start >= array.length / 2) {
            moveToFront();
        }
    }

    private void ensureWritable(int length, boolean mayCompact) {
        if (array.length - end >= length) {
            return;
        }
        if (mayCompact && start > 0 && array.length - readable() >= length) {
            moveToFront();
            return;
        }
        long needed = (long) readable() + length;
        if (needed > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("input buffer would exceed 2 GiB");
        }
        int capacity = (int) Math.min(Integer.MAX_VALUE - 8,
                Math.max(needed, Math.max(INITIAL_CAPACITY, (long) array.length * 2)));
        byte[] grown = new byte[capacity];
        System.arraycopy(array, start, grown, 0, readable());
        end = readable();
        start = 0;
        array = grown;
    }

    private void moveToFront() {
        int readable = readable();
        System.arraycopy(array, start, array, 0, readable);
        start = 0;
        end = readable;
    }

    @Override
    public String toString() {
        return "ByteAccumulator[" + readable() + " bytes: " + Arrays.toString(Arrays.copyOfRange(array, start,
                Math.min(end, start + 32))) + "]";
    }
}
