package dev.pier.proxy;

import dev.pier.unix.AbstractUnixAddress;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Collects one PROXY header, version 1 or 2, from bytes arriving in chunks of any size, then decodes it. It takes no
 * byte past the header, and rejects a header as soon as a byte shows it cannot be valid, so that a client that
 * speaks something else is dropped before it has sent much.
 */
final class ProxyHeaderDecoder {

    /** The longest version 1 line, CRLF included ({@code PROXY UNKNOWN} with two full IPv6 addresses and ports). */
    static final int V1_MAX_LENGTH = 107;

    static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    static final String PREFIX = "no valid PROXY protocol header: ";

    private static final byte[] V1_PREFIX = "PROXY ".getBytes(StandardCharsets.US_ASCII);
    private static final int V2_FIXED_LENGTH = 16;
    private static final int UNIX_ADDRESS_LENGTH = 108;
    private static final int MAX_UNIQUE_ID_LENGTH = 128;

    private byte[] buffer = new byte[V1_MAX_LENGTH];
    private int count;
    private int version;       // 0 until the first bytes tell
    private int v2Length = -1; // the whole version 2 header, once its fixed part is in
    private boolean complete;

    /** Bytes of the header taken so far. */
    int count() {
        return count;
    }

    /**
     * Takes header bytes from {@code data}, leaving any that follow the header in it.
     *
     * @return true once the whole header is in
     * @throws ProtocolException as soon as the bytes cannot be the start of a valid header
     */
    boolean feed(ByteBuffer data) throws ProtocolException {
        while (!complete && data.hasRemaining()) {
            if (version == 0) {
                detect(data.get());
            } else if (version == 1) {
                lineByte(data.get());
            } else if (count < V2_FIXED_LENGTH) {
                fixedByte(data.get());
            } else {
                int take = Math.min(v2Length - count, data.remaining());
                data.get(buffer, count, take);
                count += take;
            }
            complete |= version == 2 && count == v2Length;
        }
        return complete;
    }

    // ---- collecting

    private void detect(byte b) throws ProtocolException {
        byte first = count == 0 ? b : buffer[0];
        byte[] expected = first == 'P' ? V1_PREFIX : first == 0x0D ? V2_SIGNATURE : null;
        if (expected == null || expected[count] != b) {
            throw fail("the connection starts with " + describe(buffer, 0, count, b)
                    + ", neither \"PROXY \" nor the version 2 signature");
        }
        buffer[count++] = b;
        if (count == expected.length) {
            version = expected == V1_PREFIX ? 1 : 2;
        }
    }

    private void lineByte(byte b) throws ProtocolException {
        byte previous = buffer[count - 1];
        if (previous == '\r' && b != '\n') {
            throw fail("a carriage return not followed by a line feed in the version 1 line");
        }
        if (b == '\n' && previous != '\r') {
            throw fail("a line feed without a carriage return ends the version 1 line");
        }
        buffer[count++] = b;
        if (b == '\n') {
            complete = true;
        } else if (count == V1_MAX_LENGTH) {
            throw fail("no CRLF within the first " + V1_MAX_LENGTH + " bytes of the version 1 line");
        }
    }

    private void fixedByte(byte b) throws ProtocolException {
        buffer[count++] = b;
        switch (count) {
            case 13 -> {
                if ((b & 0xf0) != 0x20) {
                    throw fail("version " + ((b & 0xf0) >> 4) + " after the version 2 signature, not 2");
                }
                if ((b & 0x0f) > 1) {
                    throw fail("command " + (b & 0x0f) + ", neither LOCAL (0) nor PROXY (1)");
                }
            }
            case 14 -> {
                if ((b & 0xf0) > 0x30) {
                    throw fail("address family " + ((b & 0xf0) >> 4) + ", not one of 0 to 3");
                }
                if ((b & 0x0f) > 2) {
                    throw fail("transport protocol " + (b & 0x0f) + ", not one of 0 to 2");
                }
            }
            case V2_FIXED_LENGTH -> {
                v2Length = V2_FIXED_LENGTH + unsigned16(14);
                buffer = Arrays.copyOf(buffer, v2Length);
            }
            default -> {}
        }
    }

    // ---- decoding

    /**
     * Decodes the complete header; where it names no address the connection keeps {@code local} and {@code remote}.
     */
    ProxyHeader decode(SocketAddress local, SocketAddress remote) throws ProtocolException {
        if (!complete) {
            throw new IllegalStateException("the header is not complete");
        }
        return version == 1 ? decodeV1(local, remote) : decodeV2(local, remote);
    }

    private ProxyHeader decodeV1(SocketAddress local, SocketAddress remote) throws ProtocolException {
        String line = new String(buffer, 0, count - 2, StandardCharsets.US_ASCII);
        if (line.equals("PROXY UNKNOWN") || line.startsWith("PROXY UNKNOWN ")) {
            // The sender could not name the addresses: whatever follows UNKNOWN is to be ignored.
            return new ProxyHeader(1, false, false, remote, local, List.of(), null);
        }
        for (int i = 0; i < count - 2; i++) {
            if (buffer[i] < 0x20 || buffer[i] > 0x7e) {
                throw fail("byte 0x" + HexFormat.of().toHexDigits(buffer[i]) + " in the version 1 line");
            }
        }
        String[] fields = line.split(" ", -1);
        if (fields.length != 6) {
            throw fail("\"" + shorten(line) + "\" is not PROXY TCP4|TCP6 source destination port port");
        }
        boolean v4 = switch (fields[1]) {
            case "TCP4" -> true;
            case "TCP6" -> false;
            default -> throw fail("protocol \"" + shorten(fields[1]) + "\", not TCP4, TCP6 or UNKNOWN");
        };
        InetAddress source = v4 ? ipv4(fields[2]) : ipv6(fields[2]);
        InetAddress destination = v4 ? ipv4(fields[3]) : ipv6(fields[3]);
        int sourcePort = port(fields[4]);
        int destinationPort = port(fields[5]);
        return new ProxyHeader(1, false, true, new InetSocketAddress(source, sourcePort),
                new InetSocketAddress(destination, destinationPort), List.of(), null);
    }

    private ProxyHeader decodeV2(SocketAddress local, SocketAddress remote) throws ProtocolException {
        boolean proxy = (buffer[12] & 0x0f) == 1;
        int family = (buffer[13] & 0xf0) >> 4;
        int transport = buffer[13] & 0x0f;
        int addressLength = switch (family) {
            case 1 -> 12;
            case 2 -> 36;
            case 3 -> 2 * UNIX_ADDRESS_LENGTH;
            default -> 0;
        };
        // LOCAL, and an unspecified family or transport, keep the socket's addresses whatever the block holds.
        boolean usesAddresses = proxy && family != 0 && transport != 0;
        int length = v2Length - V2_FIXED_LENGTH;
        if (proxy && family == 0) {
            // Addresses of a family the sender could not name: where they end, and so where TLVs would start, is
            // unknown. (A LOCAL header of this family, as HAProxy sends for health checks, has TLVs straight away.)
            return new ProxyHeader(2, false, false, remote, local, List.of(), null);
        }
        if (length < addressLength) {
            if (usesAddresses) {
                throw fail("an address block of " + length + " bytes, where family " + family + " needs "
                        + addressLength);
            }
            return new ProxyHeader(2, !proxy, false, remote, local, List.of(), null);
        }
        var tlvs = new ArrayList<ProxyHeader.Tlv>();
        ProxyHeader.Ssl ssl = null;
        int end = v2Length;
        int at = V2_FIXED_LENGTH + addressLength;
        while (at < end) {
            if (end - at < 3) {
                throw fail("a truncated TLV of " + (end - at) + " bytes at the end of the header");
            }
            int type = buffer[at] & 0xff;
            int valueLength = unsigned16(at + 1);
            int valueAt = at + 3;
            if (valueLength > end - valueAt) {
                throw fail("TLV 0x" + HexFormat.of().toHexDigits((byte) type) + " of " + valueLength
                        + " bytes overruns the header by " + (valueLength - (end - valueAt)));
            }
            byte[] value = Arrays.copyOfRange(buffer, valueAt, valueAt + valueLength);
            switch (type) {
                case ProxyHeader.TYPE_CRC32C -> checkCrc(valueAt, valueLength);
                case ProxyHeader.TYPE_UNIQUE_ID -> {
                    if (valueLength > MAX_UNIQUE_ID_LENGTH) {
                        throw fail("a unique id of " + valueLength + " bytes, over " + MAX_UNIQUE_ID_LENGTH);
                    }
                }
                case ProxyHeader.TYPE_SSL -> ssl = ssl == null ? ssl(value) : ssl;
                default -> {}
            }
            tlvs.add(new ProxyHeader.Tlv(type, value));
            at = valueAt + valueLength;
        }
        if (!usesAddresses) {
            return new ProxyHeader(2, !proxy, false, remote, local, tlvs, ssl);
        }
        int base = V2_FIXED_LENGTH;
        SocketAddress source;
        SocketAddress destination;
        if (family == 3) {
            source = unixAddress(base);
            destination = unixAddress(base + UNIX_ADDRESS_LENGTH);
        } else {
            int size = family == 1 ? 4 : 16;
            source = new InetSocketAddress(inet(base, size), unsigned16(base + 2 * size));
            destination = new InetSocketAddress(inet(base + size, size), unsigned16(base + 2 * size + 2));
        }
        return new ProxyHeader(2, false, true, source, destination, tlvs, ssl);
    }

    private void checkCrc(int valueAt, int valueLength) throws ProtocolException {
        if (valueLength != 4) {
            throw fail("a CRC32C TLV of " + valueLength + " bytes, not 4");
        }
        long sent = ByteBuffer.wrap(buffer, valueAt, 4).getInt() & 0xffffffffL;
        byte[] zeroed = Arrays.copyOf(buffer, v2Length);
        Arrays.fill(zeroed, valueAt, valueAt + 4, (byte) 0);
        CRC32C crc = new CRC32C();
        crc.update(zeroed);
        if (crc.getValue() != sent) {
            throw fail("CRC32C 0x" + Long.toHexString(sent) + " does not match the header's, 0x"
                    + Long.toHexString(crc.getValue()));
        }
    }

    private static ProxyHeader.Ssl ssl(byte[] value) throws ProtocolException {
        if (value.length < 5) {
            throw fail("an SSL TLV of " + value.length + " bytes, shorter than its 5 fixed ones");
        }
        ByteBuffer in = ByteBuffer.wrap(value);
        int client = in.get() & 0xff;
        long verify = in.getInt() & 0xffffffffL;
        var fields = new ArrayList<ProxyHeader.Tlv>();
        while (in.hasRemaining()) {
            if (in.remaining() < 3) {
                throw fail("a truncated sub-field of " + in.remaining() + " bytes at the end of the SSL TLV");
            }
            int type = in.get() & 0xff;
            int length = in.getShort() & 0xffff;
            if (length > in.remaining()) {
                throw fail("SSL sub-field 0x" + HexFormat.of().toHexDigits((byte) type) + " of " + length
                        + " bytes overruns its TLV");
            }
            byte[] field = new byte[length];
            in.get(field);
            fields.add(new ProxyHeader.Tlv(type, field));
        }
        return new ProxyHeader.Ssl(client, verify, fields);
    }

    private InetAddress inet(int at, int size) throws ProtocolException {
        try {
            return InetAddress.getByAddress(Arrays.copyOfRange(buffer, at, at + size));
        } catch (UnknownHostException impossible) {   // only for a length other than 4 or 16
            throw fail("an address of " + size + " bytes");
        }
    }

    private SocketAddress unixAddress(int at) throws ProtocolException {
        int end = at + UNIX_ADDRESS_LENGTH;
        if (buffer[at] == 0) {
            // An abstract name may hold NULs; the padding after it cannot be told from them, so it is dropped.
            int last = end;
            while (last > at + 1 && buffer[last - 1] == 0) {
                last--;
            }
            return last == at + 1 ? UnixDomainSocketAddress.of("")
                    : AbstractUnixAddress.of(Arrays.copyOfRange(buffer, at + 1, last));
        }
        int nul = at;
        while (nul < end && buffer[nul] != 0) {
            nul++;
        }
        try {
            return UnixDomainSocketAddress.of(new String(buffer, at, nul - at, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException invalid) {   // InvalidPathException among them
            throw fail("a Unix address that is no path: " + invalid.getMessage());
        }
    }

    private int unsigned16(int at) {
        return ((buffer[at] & 0xff) << 8) | (buffer[at + 1] & 0xff);
    }

    // ---- version 1 fields: strict, as the specification asks, and never through a name lookup

    private static InetAddress ipv4(String text) throws ProtocolException {
        byte[] bytes = ipv4Bytes(text);
        if (bytes == null) {
            throw fail("\"" + shorten(text) + "\" is not an IPv4 address");
        }
        return address(bytes);
    }

    private static byte[] ipv4Bytes(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            int value = decimal(parts[i], 3);
            if (value < 0 || value > 255) {
                return null;
            }
            bytes[i] = (byte) value;
        }
        return bytes;
    }

    private static InetAddress ipv6(String text) throws ProtocolException {
        byte[] bytes = ipv6Bytes(text);
        if (bytes == null) {
            throw fail("\"" + shorten(text) + "\" is not an IPv6 address");
        }
        return address(bytes);
    }

    private static byte[] ipv6Bytes(String text) {
        int gap = text.indexOf("::");
        if (gap >= 0 && text.indexOf("::", gap + 1) >= 0) {
            return null;
        }
        byte[] head = gap < 0 ? groups(text, true) : gap == 0 ? new byte[0] : groups(text.substring(0, gap), false);
        byte[] tail = gap < 0 ? new byte[0]
                : gap + 2 == text.length() ? new byte[0] : groups(text.substring(gap + 2), true);
        if (head == null || tail == null || (gap < 0 ? head.length != 16 : head.length + tail.length > 14)) {
            return null;
        }
        byte[] bytes = new byte[16];
        System.arraycopy(head, 0, bytes, 0, head.length);
        System.arraycopy(tail, 0, bytes, 16 - tail.length, tail.length);
        return bytes;
    }

    /** Colon-separated groups of 1 to 4 hex digits, the last of which may be a dotted IPv4 address if it ends it. */
    private static byte[] groups(String text, boolean endsAddress) {
        String[] parts = text.split(":", -1);
        byte[] bytes = new byte[parts.length * 2 + 2];
        int length = 0;
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            if (endsAddress && i == parts.length - 1 && part.indexOf('.') >= 0) {
                byte[] v4 = ipv4Bytes(part);
                if (v4 == null) {
                    return null;
                }
                System.arraycopy(v4, 0, bytes, length, 4);
                length += 4;
                continue;
            }
            if (part.isEmpty() || part.length() > 4) {
                return null;
            }
            int value = 0;
            for (int j = 0; j < part.length(); j++) {
                int digit = Character.digit(part.charAt(j), 16);
                if (digit < 0) {
                    return null;
                }
                value = value * 16 + digit;
            }
            bytes[length++] = (byte) (value >> 8);
            bytes[length++] = (byte) value;
        }
        return length > 16 ? null : Arrays.copyOf(bytes, length);
    }

    private static InetAddress address(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException impossible) {
            throw new AssertionError(impossible);
        }
    }

    private static int port(String text) throws ProtocolException {
        int value = decimal(text, 5);
        if (value < 0 || value > 65535) {
            throw fail("\"" + shorten(text) + "\" is not a port from 0 to 65535");
        }
        return value;
    }

    /** The value of 1 to {@code maxDigits} decimal digits without a leading zero, or -1. */
    private static int decimal(String text, int maxDigits) {
        if (text.isEmpty() || text.length() > maxDigits || (text.length() > 1 && text.charAt(0) == '0')) {
            return -1;
        }
        int value = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    // ---- messages: one line, whatever the peer sent

    static ProtocolException fail(String detail) {
        return new ProtocolException(PREFIX + detail);
    }

    private static String shorten(String text) {
        return text.length() <= 48 ? text : text.substring(0, 45) + "...";
    }

    private static String describe(byte[] bytes, int offset, int length, byte next) {
        StringBuilder text = new StringBuilder("\"");
        for (int i = offset; i <= offset + length; i++) {
            byte b = i < offset + length ? bytes[i] : next;
            if (b >= 0x20 && b < 0x7f && b != '"' && b != '\\') {
                text.append((char) b);
            } else {
                text.append("\\x").append(HexFormat.of().toHexDigits(b));
            }
        }
        return text.append('"').toString();
    }
}
