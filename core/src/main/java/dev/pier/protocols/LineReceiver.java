package dev.pier.protocols;

import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A protocol that receives lines (Twisted's {@code LineReceiver}): input is cut at each delimiter ({@code "\r\n"}
 * by default) and every line, without its delimiter, is passed to {@link #lineReceived} decoded with the charset
 * (UTF-8 by default; malformed bytes become U+FFFD). However the network splits the bytes, the same lines arrive.
 *
 * <pre>{@code
 * class Upper extends LineReceiver {
 *     Upper() { setDelimiter("\n".getBytes(US_ASCII)); }
 *     protected void lineReceived(String line) {
 *         if (line.equals("quit")) transport().loseConnection();
 *         else sendLine(line.toUpperCase(Locale.ROOT));
 *     }
 * }
 * }</pre>
 *
 * <p><b>Bytes, not text:</b> with {@code setCharset(StandardCharsets.ISO_8859_1)} each byte becomes one char of
 * the same value, so a line's raw bytes are recovered losslessly with {@code line.getBytes(ISO_8859_1)}.
 *
 * <p><b>Long lines:</b> a line longer than {@link #maxLength()} bytes (16384 by default; the delimiter not counted)
 * is never buffered whole: {@link #lineLengthExceeded} is called as soon as the limit is certainly passed, and by
 * default closes the connection. A line of exactly {@code maxLength} bytes is accepted.
 *
 * <p><b>Raw mode:</b> after {@link #setRawMode()} the input, including the rest of the current packet, goes to
 * {@link #rawDataReceived} unsplit until {@link #setLineMode(byte[])}; this switch may happen in the middle of a
 * packet, from inside a callback.
 *
 * <p><b>Pausing and closing:</b> after {@code transport().pauseReading()} no further line is delivered, even from
 * bytes already received, until {@code transport().resumeReading()}; after {@code loseConnection()} or
 * {@code abortConnection()} none is delivered at all.
 */
public abstract class LineReceiver extends BufferingProtocol {

    /** The default maximum line length in bytes, as in Twisted. */
    public static final int DEFAULT_MAX_LENGTH = 16384;

    private static final System.Logger LOG = System.getLogger(LineReceiver.class.getName());

    private byte[] delimiter = {'\r', '\n'};
    private int maxLength = DEFAULT_MAX_LENGTH;
    private Charset charset = StandardCharsets.UTF_8;
    private boolean rawMode;
    private boolean skippingLongLine;
    private int scanned;

    /** A line receiver with delimiter {@code "\r\n"}, maximum length 16384 and UTF-8. */
    protected LineReceiver() {}

    /** One line, without its delimiter. */
    protected abstract void lineReceived(String line);

    /**
     * Input received in raw mode, readable only during the call. Override it to use {@link #setRawMode()}.
     *
     * @throws UnsupportedOperationException unless overridden
     */
    protected void rawDataReceived(ByteBuffer data) {
        throw new UnsupportedOperationException(getClass().getName()
                + " switched to raw mode but does not override rawDataReceived");
    }

    /**
     * A line of more than {@link #maxLength()} bytes arrived; {@code length} is how many of its bytes were seen (at
     * least {@code maxLength + 1}). By default closes the connection. An override that does not close it drops the
     * line: its bytes up to and including the next delimiter are skipped, then lines are delivered again.
     */
    protected void lineLengthExceeded(int length) {
        LOG.log(System.Logger.Level.DEBUG, () -> "closing " + transport().remoteAddress() + ": line of at least "
                + length + " bytes is over the maximum of " + maxLength);
        transport().loseConnection();
    }

    /** Writes {@code line} encoded with the charset, followed by the delimiter, in one write. */
    public void sendLine(String line) {
        sendLine(line.getBytes(charset));
    }

    /** Writes {@code line} followed by the delimiter, in one write. */
    public void sendLine(byte[] line) {
        byte[] framed = new byte[line.length + delimiter.length];
        System.arraycopy(line, 0, framed, 0, line.length);
        System.arraycopy(delimiter, 0, framed, line.length, delimiter.length);
        transport().write(framed);
    }

    /** Sends the rest of the input, from the current position on, to {@link #rawDataReceived}. */
    protected final void setRawMode() {
        rawMode = true;
    }

    /**
     * Goes back to lines; {@code rest} (may be empty) is input to parse as lines before anything received later,
     * typically the part of a raw chunk that belongs to the line protocol.
     */
    protected final void setLineMode(byte[] rest) {
        rawMode = false;
        scanned = 0;
        if (rest.length > 0) {
            buffer.prepend(rest);
        }
        if (!isDelivering()) {
            deliverBuffered();
        }
    }

    /** True in raw mode. */
    public final boolean isRawMode() {
        return rawMode;
    }

    /** Sets the delimiter (at least one byte) that ends a line; takes effect from the next line. */
    protected final void setDelimiter(byte[] delimiter) {
        if (delimiter.length == 0) {
            throw new IllegalArgumentException("the line delimiter must not be empty");
        }
        this.delimiter = delimiter.clone();
        scanned = 0;
    }

    /** The delimiter that ends a line. */
    public final byte[] delimiter() {
        return delimiter.clone();
    }

    /** Sets the maximum line length in bytes, the delimiter not counted. */
    protected final void setMaxLength(int maxLength) {
        if (maxLength < 0) {
            throw new IllegalArgumentException("maximum line length must not be negative, got " + maxLength);
        }
        this.maxLength = maxLength;
    }

    /** The maximum line length in bytes, the delimiter not counted. */
    public final int maxLength() {
        return maxLength;
    }

    /** Sets the charset lines are decoded from and encoded to by {@link #sendLine(String)}. */
    protected final void setCharset(Charset charset) {
        this.charset = Objects.requireNonNull(charset, "charset");
    }

    /** The charset lines are decoded from. */
    public final Charset charset() {
        return charset;
    }

    @Override
    boolean handledWithoutBuffering(ByteBuffer data) {
        if (!rawMode) {
            return false;
        }
        rawDataReceived(data);
        return true;
    }

    @Override
    boolean deliverNext() {
        if (rawMode) {
            ByteBuffer chunk = ByteBuffer.wrap(buffer.array(), buffer.start(), buffer.readable()).slice();
            buffer.consume(buffer.readable());
            rawDataReceived(chunk);
            return true;
        }
        byte[] array = buffer.array();
        int start = buffer.start();
        int end = buffer.end();
        int found = indexOfDelimiter(array, start + scanned, end);
        if (found < 0) {
            int pending = end - start;
            int mayBeDelimiter = delimiter.length - 1;
            scanned = Math.max(0, pending - mayBeDelimiter);
            if (skippingLongLine) {
                buffer.consume(scanned);
                scanned = 0;
            } else if (pending - mayBeDelimiter > maxLength) {
                buffer.consume(scanned);
                skippingLongLine = true;
                int seen = scanned;
                scanned = 0;
                lineLengthExceeded(seen);
                return true;
            }
            return false;
        }
        int length = found - start;
        buffer.consume(length + delimiter.length);
        scanned = 0;
        if (skippingLongLine) {
            skippingLongLine = false;
            return true;
        }
        if (length > maxLength) {
            lineLengthExceeded(length);
            return true;
        }
        lineReceived(new String(array, start, length, charset));
        return true;
    }

    private int indexOfDelimiter(byte[] array, int from, int end) {
        byte first = delimiter[0];
        int last = end - delimiter.length;
        for (int i = from; i <= last; i++) {
            if (array[i] == first && matchesRest(array, i)) {
                return i;
            }
        }
        return -1;
    }

    private boolean matchesRest(byte[] array, int at) {
        for (int j = 1; j < delimiter.length; j++) {
            if (array[at + j] != delimiter[j]) {
                return false;
            }
        }
        return true;
    }
}
