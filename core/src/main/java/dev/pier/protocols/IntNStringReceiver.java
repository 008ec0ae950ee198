package dev.pier.protocols;

import java.nio.ByteBuffer;

/**
 * A protocol that receives strings each preceded by its length as an unsigned big-endian integer of 1, 2 or 4
 * bytes (Twisted's {@code IntNStringReceiver}); use {@link Int8StringReceiver}, {@link Int16StringReceiver} or
 * {@link Int32StringReceiver}. Each string's bytes are passed to {@link #stringReceived}, however the network splits
 * them.
 *
 * <pre>{@code
 * class Echo extends Int32StringReceiver {
 *     protected void stringReceived(ByteBuffer data) { sendString(data); }
 * }
 * }</pre>
 *
 * <p><b>Too long:</b> a length over {@link #maxLength()} (99999 by default, as in Twisted) calls
 * {@link #lengthLimitExceeded}, then closes the connection with {@code loseConnection()} and ignores further input.
 */
public abstract sealed class IntNStringReceiver extends BufferingProtocol
        permits Int8StringReceiver, Int16StringReceiver, Int32StringReceiver {

    /** The default maximum string length in bytes, as in Twisted. */
    public static final int DEFAULT_MAX_LENGTH = 99999;

    private static final System.Logger LOG = System.getLogger(IntNStringReceiver.class.getName());

    private final int prefixLength;
    private final long prefixCapacity;
    private int maxLength = DEFAULT_MAX_LENGTH;

    IntNStringReceiver(int prefixLength) {
        this.prefixLength = prefixLength;
        this.prefixCapacity = (1L << (8 * prefixLength)) - 1;
    }

    /** One string's bytes, readable only during the call (copy what you keep). */
    protected abstract void stringReceived(ByteBuffer data);

    /**
     * A string of {@code length} bytes, over {@link #maxLength()}, was announced. Logs it at DEBUG by default. The
     * connection is closed after this returns; an override may write a last reply first.
     */
    protected void lengthLimitExceeded(long length) {
        LOG.log(System.Logger.Level.DEBUG, () -> "closing " + transport().remoteAddress() + ": string of " + length
                + " bytes is over the maximum of " + maxLength);
    }

    /** Writes {@code data} with its length prefix, in one write. */
    public void sendString(byte[] data) {
        sendString(ByteBuffer.wrap(data));
    }

    /**
     * Writes the remaining bytes of {@code data} with their length prefix, in one write (the buffer is consumed).
     *
     * @throws IllegalArgumentException if the length does not fit in the prefix
     */
    public void sendString(ByteBuffer data) {
        int length = data.remaining();
        if (length > prefixCapacity) {
            throw new IllegalArgumentException("string of " + length + " bytes is too long for a "
                    + (8 * prefixLength) + "-bit length prefix (at most " + prefixCapacity + ")");
        }
        byte[] framed = new byte[prefixLength + length];
        for (int i = 0; i < prefixLength; i++) {
            framed[i] = (byte) (length >>> (8 * (prefixLength - 1 - i)));
        }
        data.get(framed, prefixLength, length);
        transport().write(framed);
    }

    /** Sets the largest string length accepted, in bytes. */
    protected final void setMaxLength(int maxLength) {
        if (maxLength < 0) {
            throw new IllegalArgumentException("maximum string length must not be negative, got " + maxLength);
        }
        this.maxLength = maxLength;
    }

    /** The largest string length accepted, in bytes. */
    public final int maxLength() {
        return maxLength;
    }

    @Override
    boolean deliverNext() {
        int readable = buffer.readable();
        if (readable < prefixLength) {
            return false;
        }
        byte[] array = buffer.array();
        int start = buffer.start();
        long length = 0;
        for (int i = 0; i < prefixLength; i++) {
            length = (length << 8) | (array[start + i] & 0xff);
        }
        if (length > maxLength) {
            discardInput();
            try {
                lengthLimitExceeded(length);
            } finally {
                transport().loseConnection();
            }
            return false;
        }
        if (readable - prefixLength < length) {
            return false;
        }
        ByteBuffer data = ByteBuffer.wrap(array, start + prefixLength, (int) length).slice();
        buffer.consume(prefixLength + (int) length);
        stringReceived(data);
        return true;
    }
}
