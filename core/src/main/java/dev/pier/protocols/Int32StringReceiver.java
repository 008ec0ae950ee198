package dev.pier.protocols;

/**
 * Strings preceded by a 32-bit unsigned big-endian length (Twisted's {@code Int32StringReceiver}); see
 * {@link IntNStringReceiver}.
 *
 * <pre>{@code
 * class Echo extends Int32StringReceiver {
 *     protected void stringReceived(ByteBuffer data) { sendString(data); }
 * }
 * }</pre>
 */
public abstract non-sealed class Int32StringReceiver extends IntNStringReceiver {

    /** A receiver with a 4-byte length prefix. */
    protected Int32StringReceiver() {
        super(4);
    }
}
