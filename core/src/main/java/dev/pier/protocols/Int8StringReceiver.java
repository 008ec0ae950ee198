package dev.pier.protocols;

/**
 * Strings preceded by a 8-bit unsigned big-endian length (Twisted's {@code Int8StringReceiver}); see
 * {@link IntNStringReceiver}.
 *
 * <pre>{@code
 * class Echo extends Int8StringReceiver {
 *     protected void stringReceived(ByteBuffer data) { sendString(data); }
 * }
 * }</pre>
 */
public abstract non-sealed class Int8StringReceiver extends IntNStringReceiver {

    /** A receiver with a 1-byte length prefix. */
    protected Int8StringReceiver() {
        super(1);
    }
}
