package dev.pier.blocking;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * A handler for one datagram: {@link #in()} reads it, {@link #out()} collects the reply, and {@link #finish()}
 * sends what was collected as one datagram to the client, even when it is empty and even when
 * {@link #handle()} threw.
 *
 * <pre>{@code
 * class UpperCaseHandler extends DatagramRequestHandler {
 *     protected void handle() throws IOException {
 *         out().write(new String(in().readAllBytes(), UTF_8).toUpperCase().getBytes(UTF_8));
 *     }
 * }
 * }</pre>
 */
public abstract class DatagramRequestHandler extends BaseRequestHandler<DatagramRequest> {

    private InputStream in;
    private ByteArrayOutputStream out;

    @Override
    protected void setup() throws Exception {
        ByteBuffer data = request().data();
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        in = new ByteArrayInputStream(bytes);
        out = new ByteArrayOutputStream();
    }

    /** The received datagram. */
    protected final InputStream in() {
        return in;
    }

    /** Collects the reply. */
    protected final OutputStream out() {
        return out;
    }

    @Override
    protected void finish() throws Exception {
        request().socket().send(ByteBuffer.wrap(out.toByteArray()), clientAddress());
    }
}
