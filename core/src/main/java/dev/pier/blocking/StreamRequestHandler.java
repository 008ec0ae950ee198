package dev.pier.blocking;

import dev.pier.layer.Layer;
import dev.pier.layer.LayerFactory;
import dev.pier.layer.LayerStack;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A handler for one connection of a stream server, read through {@link #in()} and written through {@link #out()}
 * (Python's {@code rfile} and {@code wfile}).
 *
 * <pre>{@code
 * class EchoHandler extends StreamRequestHandler {
 *     protected void handle() throws IOException {
 *         in().transferTo(out());
 *     }
 * }
 * }</pre>
 *
 * <p>Every write to {@code out()} returns only when all its bytes are sent (the stream is unbuffered unless
 * {@link #writeBufferSize()} says otherwise), so nothing needs flushing. {@link #finish()} flushes and closes
 * both streams but not the connection, which the server shuts down afterwards. Override the settings methods
 * to change them; a subclass overriding {@link #setup()} or {@link #finish()} must call {@code super}.
 */
public abstract class StreamRequestHandler extends BaseRequestHandler<SocketChannel> {

    private static final System.Logger LOG = System.getLogger(StreamRequestHandler.class.getName());

    private InputStream in;
    private OutputStream out;
    private LayeredConnection layered;

    /** How long a read may wait for the client before failing with a SocketTimeoutException (null: for ever). */
    protected Duration timeout() {
        return null;
    }

    /** Whether to disable Nagle's algorithm (TCP_NODELAY) on TCP connections. Default false. */
    protected boolean noDelay() {
        return false;
    }

    /** The size of the input buffer (Python's {@code rbufsize}). Default 8192. */
    protected int readBufferSize() {
        return 8192;
    }

    /** The size of the output buffer; 0, the default, writes each write at once (Python's {@code wbufsize}). */
    protected int writeBufferSize() {
        return 0;
    }

    /** The longest line {@link #readLine()} accepts, in bytes; protects the server from endless lines. */
    protected int maxLineLength() {
        return 64 * 1024;
    }

    @Override
    protected void setup() throws Exception {
        SocketChannel channel = request();
        if (noDelay() && channel.getRemoteAddress() instanceof InetSocketAddress) {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        }
        List<LayerFactory> layers = server().options().layers();
        InputStream rawIn;
        OutputStream rawOut;
        ServerCounters counters = server().counters();
        if (layers.isEmpty()) {
            rawIn = ChannelStreams.input(channel, timeout(), counters);
            rawOut = ChannelStreams.output(channel, counters);
        } else {
            layered = LayeredConnection.start(channel, LayerStack.newLayers(layers, clientAddress()), timeout(),
                    counters);
            clientAddressFromLayers(layered.clientAddress());
            rawIn = layered.input();
            rawOut = layered.output();
        }
        in = new BufferedInputStream(rawIn, readBufferSize());
        out = writeBufferSize() > 0 ? new BufferedOutputStream(rawOut, writeBufferSize()) : rawOut;
    }

    /**
     * Adds {@code layer} to this live connection, inside any it has: what {@link #out()} wrote before goes out as it
     * was, what it writes from now on, and what {@link #in()} reads, goes through the layer. That is STARTTLS:
     * {@code addLayer(tls.newLayer(clientAddress()))} once the client agreed; bytes the client sent after agreeing
     * and that {@code in()} had already buffered are not lost.
     */
    protected final void addLayer(Layer layer) throws IOException {
        out.flush();
        byte[] readAhead = in.readNBytes(in.available());
        if (layered != null) {
            layered.addInnermost(layer, readAhead);
            return;
        }
        layered = LayeredConnection.upgrade(request(), layer, readAhead, timeout(), server().counters());
        in = new BufferedInputStream(layered.input(), readBufferSize());
        OutputStream rawOut = layered.output();
        out = writeBufferSize() > 0 ? new BufferedOutputStream(rawOut, writeBufferSize()) : rawOut;
    }

    /**
     * The layer of this connection of the given type, if the server has one (see {@link ServerOptions#layers()}):
     * how a handler learns what a layer knows, such as a TLS session.
     */
    protected final <T> Optional<T> layer(Class<T> type) {
        return layered == null ? Optional.empty() : layered.layer(type);
    }

    /** The client's bytes, buffered. */
    protected final InputStream in() {
        return in;
    }

    /** The way to the client: each write is delivered whole. */
    protected final OutputStream out() {
        return out;
    }

    /**
     * Reads one line of UTF-8 text, without its {@code \n} or {@code \r\n}.
     *
     * @return the line, or {@code null} at end of stream (a last line without terminator is still returned)
     * @throws IOException if the line is longer than {@link #maxLineLength()}
     */
    protected final String readLine() throws IOException {
        var line = new ByteArrayOutputStream();
        int limit = maxLineLength();
        for (int b; (b = in.read()) != '\n'; ) {
            if (b < 0) {
                return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
            }
            if (line.size() == limit) {
                throw new IOException("line longer than " + limit + " bytes from " + clientAddress());
            }
            line.write(b);
        }
        byte[] bytes = line.toByteArray();
        int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, length, StandardCharsets.UTF_8);
    }

    /**
     * Flushes {@link #out()} (a client that went away is not an error here), closes the connection's layers (a TLS
     * layer says goodbye), and closes both streams.
     */
    @Override
    protected void finish() throws Exception {
        try {
            out.flush();
            if (layered != null) {
                layered.finish();
            }
        } catch (IOException e) {
            LOG.log(Level.DEBUG, () -> "Could not flush the reply to " + clientAddress(), e);
        } finally {
            out.close();
            in.close();
        }
    }
}
