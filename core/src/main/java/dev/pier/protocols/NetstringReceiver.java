package dev.pier.protocols;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A protocol that receives netstrings (Twisted's {@code NetstringReceiver}): {@code <decimal length>:<bytes>,},
 * e.g. {@code 5:hello,}. Each string's bytes are passed to {@link #stringReceived}; several in one packet, or one
 * split anywhere, arrive the same.
 *
 * <pre>{@code
 * class Cummingsifier extends NetstringReceiver {
 *     protected void stringReceived(ByteBuffer data) {
 *         sendString(UTF_8.decode(data).toString().toLowerCase(Locale.ROOT).getBytes(UTF_8));
 *         transport().loseConnection();
 *     }
 * }
 * }</pre>
 *
 * <p><b>Malformed input closes the connection:</b> an empty length, a non-digit in the length, a leading zero
 * ({@code 0} alone, the empty string, is fine), a length over {@link #maxLength()} (99999 by default) or a missing
 * comma is detected as soon as its bytes arrive; {@link #malformedNetstring} is told why, the connection is closed
 * with {@code loseConnection()} and all further input is ignored. Nothing is ever thrown out of {@code dataReceived}
 * for bad input.
 */
public abstract class NetstringReceiver extends BufferingProtocol {

    /** The default maximum string length in bytes, as in Twisted. */
    public static final int DEFAULT_MAX_LENGTH = 99999;

    private static final System.Logger LOG = System.getLogger(NetstringReceiver.class.getName());

    private int maxLength = DEFAULT_MAX_LENGTH;
    private int maxDigits = digits(DEFAULT_MAX_LENGTH);
    private int payloadLength = -1;

    /** A netstring receiver with maximum length 99999. */
    protected NetstringReceiver() {}

    /** One string's bytes, readable only during the call (copy what you keep). */
    protected abstract void stringReceived(ByteBuffer data);

    /**
     * The input was not a netstring; {@code problem} says why. Logs it at DEBUG by default. The connection is
     * closed after this returns, whatever it does; an override may write a last reply first.
     */
    protected void malformedNetstring(String problem) {
        LOG.log(System.Logger.Level.DEBUG, () -> "closing " + transport().remoteAddress() + ": " + problem);
    }

    /** Writes {@code data} as one netstring, in one write. */
    public void sendString(byte[] data) {
        sendString(ByteBuffer.wrap(data));
    }

    /** Writes the remaining bytes of {@code data} as one netstring, in one write (the buffer is consumed). */
    public void sendString(ByteBuffer data) {
        int length = data.remaining();
        byte[] header = (length + ":").getBytes(StandardCharsets.US_ASCII);
        byte[] framed = new byte[header.length + length + 1];
        System.arraycopy(header, 0, framed, 0, header.length);
        data.get(framed, header.length, length);
        framed[framed.length - 1] = ',';
        transport().write(framed);
    }

    /** Sets the largest string length accepted, in bytes. */
    protected final void setMaxLength(int maxLength) {
        if (maxLength < 0) {
            throw new IllegalArgumentException("maximum netstring length must not be negative, got " + maxLength);
        }
        this.maxLength = maxLength;
        this.maxDigits = digits(maxLength);
    }

    /** The largest string length accepted, in bytes. */
    public final int maxLength() {
        return maxLength;
    }

    @Override
    boolean deliverNext() {
        return payloadLength < 0 ? readLength() : readPayload();
    }

    private boolean readLength() {
        byte[] array = buffer.array();
        int start = buffer.start();
        int end = buffer.end();
        int scanEnd = Math.min(end, start + maxDigits + 1);
        for (int i = start; i < scanEnd; i++) {
            byte b = array[i];
            if (b == ':') {
                return acceptLength(array, start, i - start);
            }
            if (b < '0' || b > '9') {
                return malformed("netstring length contains '" + printable(b) + "', not only digits");
            }
        }
        if (end - start > maxDigits) {
            return malformed("netstring length has more than " + maxDigits + " digits, over the maximum of " + maxLength);
        }
        return false;
    }

    private boolean acceptLength(byte[] array, int start, int digits) {
        if (digits == 0) {
            return malformed("netstring length is empty");
        }
        if (digits > 1 && array[start] == '0') {
            return malformed("netstring length has a leading zero");
        }
        long length = 0;
        for (int i = start; i < start + digits; i++) {
            length = length * 10 + (array[i] - '0');
        }
        if (length > maxLength) {
            return malformed("netstring length " + length + " is over the maximum of " + maxLength);
        }
        buffer.consume(digits + 1);
        payloadLength = (int) length;
        return true;
    }

    private boolean readPayload() {
        if (buffer.readable() <= payloadLength) {
            return false;
        }
        byte[] array = buffer.array();
        int start = buffer.start();
        if (array[start + payloadLength] != ',') {
            return malformed("netstring of " + payloadLength + " bytes is not followed by ','");
        }
        ByteBuffer data = ByteBuffer.wrap(array, start, payloadLength).slice();
        buffer.consume(payloadLength + 1);
        payloadLength = -1;
        stringReceived(data);
        return true;
    }

    private boolean malformed(String problem) {
        discardInput();
        try {
            malformedNetstring(problem);
        } finally {
            transport().loseConnection();
        }
        return false;
    }

    static String printable(byte b) {
        return b >= 0x20 && b < 0x7f ? String.valueOf((char) b) : String.format("\\x%02x", b & 0xff);
    }

    private static int digits(int value) {
        return Integer.toString(value).length();
    }
}
