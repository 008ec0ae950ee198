package dev.pier.testing;

import dev.pier.blocking.RequestHandlerFactory;
import dev.pier.blocking.ServerOptions;
import dev.pier.blocking.StreamRequestHandler;
import dev.pier.blocking.TcpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketImpl;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Runs a {@link StreamRequestHandler} (any handler of {@code SocketChannel} requests) on one in-memory connection,
 * on the test thread: the client's bytes are given beforehand and end with its close, what the handler writes is
 * recorded. No socket, no thread, no waiting; a handler that takes its time from a {@link ManualClock} runs on it.
 *
 * <pre>{@code
 * StreamHandlerHarness connection = new StreamHandlerHarness().send("hello\nworld\n");
 * connection.run(EchoHandler::new);                      // setup, handle, finish, as a server would
 * assertEquals("hello\nworld\n", connection.writtenString());
 * }</pre>
 *
 * <p>The handler's {@code server()} is a {@link TcpServer} that was never bound; {@link #clientReadsAtMost} plays a
 * client that leaves early. Socket options the handler sets are recorded ({@link #option}). Runs once.
 */
public final class StreamHandlerHarness {

    private final ByteArrayOutputStream sent = new ByteArrayOutputStream();
    private final ByteArrayOutputStream written = new ByteArrayOutputStream();
    private final Map<SocketOption<?>, Object> options = new HashMap<>();
    private SocketAddress clientAddress = new InetSocketAddress(InetAddress.getLoopbackAddress(), 54321);
    private long clientReadsAtMost = Long.MAX_VALUE;
    private boolean ran;

    /** A connection whose client has sent nothing yet. */
    public StreamHandlerHarness() {}

    /** Adds {@code bytes} to what the client sends before it closes its side. */
    public StreamHandlerHarness send(byte[] bytes) {
        sent.writeBytes(bytes);
        return this;
    }

    /** Adds {@code text}, in UTF-8, to what the client sends. */
    public StreamHandlerHarness send(String text) {
        return send(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The client's address as the handler sees it (default 127.0.0.1:54321). */
    public StreamHandlerHarness clientAddress(SocketAddress address) {
        this.clientAddress = Objects.requireNonNull(address, "address");
        return this;
    }

    /**
     * The client leaves after reading {@code bytes}: a write that goes past them fails with "Connection reset by
     * peer", as it does on a socket whose peer has gone (the bytes before the limit are delivered).
     */
    public StreamHandlerHarness clientReadsAtMost(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes must not be negative, got " + bytes);
        }
        this.clientReadsAtMost = bytes;
        return this;
    }

    /**
     * Makes a handler with {@code handlers} and runs it on this connection as a server does: setup, handle, finish.
     *
     * @throws Exception what the handler threw
     */
    public void run(RequestHandlerFactory<SocketChannel> handlers) throws Exception {
        if (ran) {
            throw new IllegalStateException("a connection is handled once: make a new harness");
        }
        ran = true;
        try (Host host = new Host(handlers); MemoryChannel channel = new MemoryChannel(sent.toByteArray())) {
            host.handle(channel, clientAddress);
        }
    }

    /** Everything the handler wrote that the client read. */
    public byte[] written() {
        return written.toByteArray();
    }

    /** {@link #written()} decoded as UTF-8. */
    public String writtenString() {
        return written.toString(StandardCharsets.UTF_8);
    }

    /** The last value the handler set for {@code option}, or null if it set none. */
    public <T> T option(SocketOption<T> option) {
        return option.type().cast(options.get(option));
    }

    /** A server that never binds, to run a handler as its own {@code finishRequest} does. */
    private static final class Host extends TcpServer {
        Host(RequestHandlerFactory<SocketChannel> handlers) throws IOException {
            super(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), handlers,
                    ServerOptions.defaults().withBindAndActivate(false));
        }

        void handle(SocketChannel request, SocketAddress client) throws Exception {
            finishRequest(request, client);
        }
    }

    /** A connected, blocking channel over the client's bytes and the recorded output. */
    private final class MemoryChannel extends SocketChannel {
        private static final Set<SocketOption<?>> SUPPORTED = Set.of(StandardSocketOptions.SO_LINGER,
                StandardSocketOptions.TCP_NODELAY, StandardSocketOptions.SO_KEEPALIVE,
                StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.SO_RCVBUF);

        private final ByteBuffer input;
        private boolean inputShut;
        private boolean outputShut;
        private Socket adaptor;

        MemoryChannel(byte[] input) {
            super(SelectorProvider.provider());
            this.input = ByteBuffer.wrap(input);
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            ensureOpen();
            if (inputShut || !input.hasRemaining()) {
                return -1;
            }
            int n = Math.min(dst.remaining(), input.remaining());
            dst.put(input.slice(input.position(), n));
            input.position(input.position() + n);
            return n;
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            long total = 0;
            for (ByteBuffer dst : Arrays.asList(dsts).subList(offset, offset + length)) {
                int n = read(dst);
                if (n < 0) {
                    return total == 0 ? -1 : total;
                }
                total += n;
            }
            return total;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            ensureOpen();
            if (outputShut) {
                throw new ClosedChannelException();
            }
            long room = clientReadsAtMost - written.size();
            if (room <= 0 && src.hasRemaining()) {
                throw new IOException("Connection reset by peer");
            }
            int n = (int) Math.min(src.remaining(), room);
            byte[] bytes = new byte[n];
            src.get(bytes);
            written.writeBytes(bytes);
            return n;
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            long total = 0;
            for (ByteBuffer src : Arrays.asList(srcs).subList(offset, offset + length)) {
                total += write(src);
            }
            return total;
        }

        private void ensureOpen() throws ClosedChannelException {
            if (!isOpen()) {
                throw new ClosedChannelException();
            }
        }

        @Override
        public <T> SocketChannel setOption(SocketOption<T> name, T value) throws IOException {
            if (!SUPPORTED.contains(name)) {
                throw new UnsupportedOperationException("'" + name + "' not supported");
            }
            ensureOpen();
            options.put(name, value);
            return this;
        }

        @Override
        public <T> T getOption(SocketOption<T> name) throws IOException {
            ensureOpen();
            return name.type().cast(options.get(name));
        }

        @Override
        public Set<SocketOption<?>> supportedOptions() {
            return SUPPORTED;
        }

        @Override
        public SocketChannel shutdownInput() {
            inputShut = true;
            return this;
        }

        @Override
        public SocketChannel shutdownOutput() {
            outputShut = true;
            return this;
        }

        /** For handlers with a read timeout, which read TCP through the socket adaptor: the same bytes. */
        @Override
        public Socket socket() {
            if (adaptor == null) {
                try {
                    adaptor = new Adaptor(this);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }
            return adaptor;
        }

        @Override
        public SocketAddress getRemoteAddress() {
            return clientAddress;
        }

        @Override
        public SocketAddress getLocalAddress() {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), 8000);
        }

        @Override
        public boolean isConnected() {
            return true;
        }

        @Override
        public boolean isConnectionPending() {
            return false;
        }

        @Override
        public boolean connect(SocketAddress remote) {
            throw new UnsupportedOperationException("an in-memory connection is already connected");
        }

        @Override
        public boolean finishConnect() {
            return true;
        }

        @Override
        public SocketChannel bind(SocketAddress local) {
            throw new UnsupportedOperationException("an in-memory connection is already bound");
        }

        @Override
        protected void implCloseSelectableChannel() {}

        @Override
        protected void implConfigureBlocking(boolean block) {
            if (!block) {
                throw new UnsupportedOperationException("an in-memory connection only blocks");
            }
        }
    }

    /** The channel's socket view: timeouts are accepted (reads never wait), streams go to the channel. */
    private static final class Adaptor extends Socket {
        private final MemoryChannel channel;
        private int timeout;

        Adaptor(MemoryChannel channel) throws IOException {
            super((SocketImpl) null);
            this.channel = channel;
        }

        @Override
        public void setSoTimeout(int timeout) {
            this.timeout = timeout;
        }

        @Override
        public int getSoTimeout() {
            return timeout;
        }

        @Override
        public InputStream getInputStream() {
            return Channels.newInputStream(channel);
        }

        @Override
        public OutputStream getOutputStream() {
            return Channels.newOutputStream(channel);
        }
    }
}
