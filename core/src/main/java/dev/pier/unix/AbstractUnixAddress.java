package dev.pier.unix;

import dev.pier.libc.LibC;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A Linux abstract Unix socket address: a name in the kernel, with no file behind it, gone when its socket closes.
 * A socket bound with {@link UnixDatagramSocket#bindAutomatic()} gets one (the kernel picks five hex digits), and
 * {@link UnixDatagramSocket#receive} reports such senders with this type so that a server can answer them:
 *
 * <pre>{@code
 * Datagram datagram = server.receive(buffer);          // sender may be an AbstractUnixAddress
 * server.send(reply, datagram.sender());               // and replies reach it
 * }</pre>
 *
 * The name holds bytes, not characters: it may contain NUL and bytes of no charset. Its string form is
 * {@code unixgram:@name}, with bytes outside printable ASCII as {@code \xNN}.
 */
public final class AbstractUnixAddress extends SocketAddress {

    /** The most bytes a name can have: {@code sun_path} is 108 bytes and its first one marks the name abstract. */
    public static final int MAX_NAME_LENGTH = LibC.SUN_PATH_SIZE - 1;

    private final byte[] name;

    private AbstractUnixAddress(byte[] name) {
        if (name.length > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("an abstract Unix socket name has at most " + MAX_NAME_LENGTH
                    + " bytes, this one has " + name.length + ": use a shorter name");
        }
        this.name = name;
    }

    /** The address named by these bytes (copied). */
    public static AbstractUnixAddress of(byte[] name) {
        return new AbstractUnixAddress(name.clone());
    }

    /** The address named by the UTF-8 bytes of {@code name}. */
    public static AbstractUnixAddress of(String name) {
        return new AbstractUnixAddress(name.getBytes(StandardCharsets.UTF_8));
    }

    /** The name's bytes (a copy), without the leading NUL of the kernel's form. */
    public byte[] name() {
        return name.clone();
    }

    int nameLength() {
        return name.length;
    }

    byte nameByte(int index) {
        return name[index];
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof AbstractUnixAddress that && Arrays.equals(name, that.name);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(name);
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("unixgram:@");
        for (byte b : name) {
            if (b >= 0x20 && b < 0x7f && b != '\\') {
                text.append((char) b);
            } else {
                text.append("\\x").append(HexFormat.of().toHexDigits(b));
            }
        }
        return text.toString();
    }
}
