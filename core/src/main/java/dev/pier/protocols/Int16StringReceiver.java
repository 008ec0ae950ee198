package dev.pier.protocols;

/**
 * Strings preceded by a 16-bit unsigned big-endian length (Twisted's {@code Int16StringReceiver}); see
 * {@link IntNStringReceiver}.
 *
 * <pre>{@code
 * class Echo extends Int16StringReceiver {
 *     protected void stringReceived(ByteBuffer data) { sendString(data); }
 * }
 * }</pre>
 */
public abstract non-sealed class Int16StringReceiver extends IntNStringReceiver {

    /** A receiver with a 2-byte length prefix. */
    protected Int16StringReceiver() {
        super(2);
    }
}
