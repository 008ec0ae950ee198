package dev.pier.tls;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * The little DER that reading private keys takes: walk a SEQUENCE, read an OBJECT IDENTIFIER, and wrap traditional
 * (PKCS#1, SEC1) keys into the PKCS#8 form the JDK's key factories accept.
 */
final class Der {

    static final int INTEGER = 0x02;
    static final int OCTET_STRING = 0x04;
    static final int NULL = 0x05;
    static final int OID = 0x06;
    static final int SEQUENCE = 0x30;
    static final int CONTEXT_0 = 0xA0;

    /** One element: its tag and its content. */
    record Element(int tag, byte[] content) {}

    private final byte[] der;
    private int position;
    private final int end;

    Der(byte[] der) {
        this(der, 0, der.length);
    }

    private Der(byte[] der, int start, int end) {
        this.der = der;
        this.position = start;
        this.end = end;
    }

    boolean hasMore() {
        return position < end;
    }

    /** The next element; throws IllegalStateException on malformed input. */
    Element next() {
        int tag = byteAt(position++);
        int first = byteAt(position++);
        int length;
        if (first < 0x80) {
            length = first;
        } else {
            int count = first & 0x7F;
            if (count == 0 || count > 3) {
                throw new IllegalStateException("unsupported DER length");
            }
            length = 0;
            for (int i = 0; i < count; i++) {
                length = (length << 8) | byteAt(position++);
            }
        }
        if (length > end - position) {
            throw new IllegalStateException("DER element longer than its container");
        }
        byte[] content = Arrays.copyOfRange(der, position, position + length);
        position += length;
        return new Element(tag, content);
    }

    /** The next element, which must carry {@code tag}. */
    Element next(int tag) {
        Element element = next();
        if (element.tag() != tag) {
            throw new IllegalStateException("expected DER tag " + tag + ", found " + element.tag());
        }
        return element;
    }

    /** A reader over the content of a constructed element. */
    static Der inside(Element element) {
        return new Der(element.content());
    }

    private int byteAt(int index) {
        if (index >= end) {
            throw new IllegalStateException("DER ends early");
        }
        return der[index] & 0xFF;
    }

    /** An OBJECT IDENTIFIER's content in dotted form. */
    static String oid(byte[] content) {
        StringBuilder out = new StringBuilder();
        long value = 0;
        boolean first = true;
        for (byte b : content) {
            value = (value << 7) | (b & 0x7F);
            if ((b & 0x80) == 0) {
                if (first) {
                    long top = Math.min(value / 40, 2);
                    out.append(top).append('.').append(value - top * 40);
                    first = false;
                } else {
                    out.append('.').append(value);
                }
                value = 0;
            }
        }
        return out.toString();
    }

    /** Encodes one element. */
    static byte[] encode(int tag, byte[]... parts) {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            content.writeBytes(part);
        }
        int length = content.size();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        if (length < 0x80) {
            out.write(length);
        } else if (length < 0x100) {
            out.write(0x81);
            out.write(length);
        } else if (length < 0x10000) {
            out.write(0x82);
            out.write(length >> 8);
            out.write(length);
        } else {
            out.write(0x83);
            out.write(length >> 16);
            out.write(length >> 8);
            out.write(length);
        }
        out.writeBytes(content.toByteArray());
        return out.toByteArray();
    }

    /** An element re-encoded as it was read. */
    static byte[] encode(Element element) {
        return encode(element.tag(), element.content());
    }
}
