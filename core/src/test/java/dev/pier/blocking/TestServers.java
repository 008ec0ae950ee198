package dev.pier.blocking;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.pier.unix.UnixDatagramSocket;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiPredicate;
import java.util.stream.Stream;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/** The test matrix (server type x concurrency strategy) and what the tests need to drive each server type. */
final class TestServers {

    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private TestServers() {
    }

    /** Every concurrency strategy the matrix runs: add a new strategy here and every scenario runs with it. */
    static Stream<Concurrency> strategies() {
        return Stream.of(Concurrency.synchronous(), Concurrency.threads(), Concurrency.virtualThreads(),
                Concurrency.forking());
    }

    /** What a test server answers to one line (stream) or one datagram; may throw to test error handling. */
    @FunctionalInterface
    interface Behaviour {
        String reply(String line, BaseServer<?> server) throws Exception;
    }

    /**
     * What the servers made by {@link Kind#create} record about their hooks. A forked child records errors in a
     * journal file too, since its memory is lost with it.
     */
    static final class Recorder {
        private final Path journal;
        volatile BiPredicate<Object, SocketAddress> verify = (request, client) -> true;
        final List<SocketAddress> errorClients = Collections.synchronizedList(new ArrayList<>());
        final List<Exception> errors = Collections.synchronizedList(new ArrayList<>());
        final Map<Object, AtomicInteger> shutdowns = Collections.synchronizedMap(new IdentityHashMap<>());
        final CountDownLatch firstError = new CountDownLatch(1);

        Recorder() {
            this(null);
        }

        /** A recorder that also appends each error to {@code journal}, as "client TAB message" lines. */
        Recorder(Path journal) {
            this.journal = journal;
        }

        /** The errors a journal holds, as "client TAB message" lines. */
        static List<String> journaledErrors(Path journal) throws IOException {
            return Files.exists(journal) ? Files.readAllLines(journal, UTF_8) : List.of();
        }

        int shutdownsOf(Object request) {
            AtomicInteger count = shutdowns.get(request);
            return count == null ? 0 : count.get();
        }

        void shutdown(Object request) {
            shutdowns.computeIfAbsent(request, r -> new AtomicInteger()).incrementAndGet();
        }

        void error(SocketAddress client, Exception error) {
            if (journal != null) {
                try {
                    Files.writeString(journal, client + "\t" + error.getMessage() + "\n", UTF_8,
                            StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            errorClients.add(client);
            errors.add(error);
            firstError.countDown();
        }
    }

    /** Answers each line of a connection. */
    static final class LineHandler extends StreamRequestHandler {
        private final Behaviour behaviour;

        LineHandler(Behaviour behaviour) {
            this.behaviour = behaviour;
        }

        @Override
        protected void handle() throws Exception {
            for (String line; (line = readLine()) != null; ) {
                out().write((behaviour.reply(line, server()) + "\n").getBytes(UTF_8));
            }
        }
    }

    /** Answers one datagram. */
    static final class PacketHandler extends DatagramRequestHandler {
        private final Behaviour behaviour;

        PacketHandler(Behaviour behaviour) {
            this.behaviour = behaviour;
        }

        @Override
        protected void handle() throws Exception {
            out().write(behaviour.reply(new String(in().readAllBytes(), UTF_8), server()).getBytes(UTF_8));
        }
    }

    enum Kind {
        TCP(true, StreamClient::new) {
            @Override
            BaseServer<?> create(Behaviour behaviour, Recorder recorder, ServerOptions options, Path dir)
                    throws IOException {
                return new TcpServer(new InetSocketAddress(LOOPBACK, 0), () -> new LineHandler(behaviour), options) {
                    @Override
                    protected boolean verifyRequest(SocketChannel request, SocketAddress client) {
                        return recorder.verify.test(request, client);
                    }

                    @Override
                    protected void shutdownRequest(SocketChannel request) {
                        recorder.shutdown(request);
                        super.shutdownRequest(request);
                    }

                    @Override
                    protected void handleError(SocketChannel request, SocketAddress client, Exception error) {
                        recorder.error(client, error);
                    }
                };
            }

            @Override
            boolean listeningClosed(BaseServer<?> server) {
                return !((TcpServer) server).channel().isOpen();
            }
        },
        UNIX_STREAM(true, StreamClient::new) {
            @Override
            BaseServer<?> create(Behaviour behaviour, Recorder recorder, ServerOptions options, Path dir)
                    throws IOException {
                return new UnixStreamServer(dir.resolve("s.sock"), () -> new LineHandler(behaviour), options) {
                    @Override
                    protected boolean verifyRequest(SocketChannel request, SocketAddress client) {
                        return recorder.verify.test(request, client);
                    }

                    @Override
                    protected void shutdownRequest(SocketChannel request) {
                        recorder.shutdown(request);
                        super.shutdownRequest(request);
                    }

                    @Override
                    protected void handleError(SocketChannel request, SocketAddress client, Exception error) {
                        recorder.error(client, error);
                    }
                };
            }

            @Override
            boolean listeningClosed(BaseServer<?> server) {
                var unix = (UnixStreamServer) server;
                return !unix.channel().isOpen() && !Files.exists(unix.address().getPath());
            }
        },
        /** {@link #TCP} behind a TLS server layer; its clients are JDK TLS sockets trusting the test CA. */
        TLS_TCP(true, TlsStreamClient::new) {
            @Override
            BaseServer<?> create(Behaviour behaviour, Recorder recorder, ServerOptions options, Path dir)
                    throws IOException {
                return TCP.create(behaviour, recorder, options.withLayers(List.of(TestTls.server(dir))), dir);
            }

            @Override
            boolean listeningClosed(BaseServer<?> server) {
                return TCP.listeningClosed(server);
            }
        },
        /** {@link #UNIX_STREAM} behind a TLS server layer; its JDK TLS clients reach it through a loopback relay. */
        TLS_UNIX_STREAM(true, TlsStreamClient::new) {
            @Override
            BaseServer<?> create(Behaviour behaviour, Recorder recorder, ServerOptions options, Path dir)
                    throws IOException {
                return UNIX_STREAM.create(behaviour, recorder, options.withLayers(List.of(TestTls.server(dir))), dir);
            }

            @Override
            boolean listeningClosed(BaseServer<?> server) {
                return UNIX_STREAM.listeningClosed(server);
            }
        },
        UDP(false, UdpClient::new) {
            @Override
            BaseServer<?> create(Behaviour behaviour, Recorder recorder, ServerOptions options, Path dir)
                    throws IOException {
                return new UdpServer(new InetSocketAddress(LOOPBACK, 0), () -> new PacketHandler(behaviour), options) {
                    @Override
                    protected boolean verifyRequest(DatagramRequest request, SocketAddress client) {
                        return recorder.verify.test(request, client);
                    }

                    @Override
                    protected void shutdownRequest(DatagramRequest request) {
                        recorder.shutdown(request);
                        super.shutdownRequest(request);
                    }

                    @Override
                    protected void handleError(DatagramRequest request, SocketAddress client, Exception error) {
                        recorder.error(client, error);
                    }
                };
            }

            @Override
            boolean listeningClosed(BaseServer<?> server) {
                return !((UdpServer) server).channel().isOpen();
            }
        },
        UNIX_DATAGRAM(false, UnixDatagramClient::new) {
            @Override
            BaseServer<?> create(Behaviour behaviour, Recorder recorder, ServerOptions options, Path dir)
                    throws IOException {
                return new UnixDatagramServer(dir.resolve("d.sock"), () -> new PacketHandler(behaviour), options) {
                    @Override
                    protected boolean verifyRequest(DatagramRequest request, SocketAddress client) {
                        return recorder.verify.test(request, client);
                    }

                    @Override
                    protected void shutdownRequest(DatagramRequest request) {
                        recorder.shutdown(request);
                        super.shutdownRequest(request);
                    }

                    @Override
                    protected void handleError(DatagramRequest request, SocketAddress client, Exception error) {
                        recorder.error(client, error);
                    }
                };
            }

            @Override
            boolean listeningClosed(BaseServer<?> server) {
                var unix = (UnixDatagramServer) server;
                return !unix.socket().isOpen() && !Files.exists(unix.address().getPath());
            }
        };

        final boolean stream;
        private final ClientOpener client;

        Kind(boolean stream, ClientOpener client) {
            this.stream = stream;
            this.client = client;
        }

        abstract BaseServer<?> create(Behaviour behaviour, Recorder recorder, ServerOptions options, Path dir)
                throws IOException;

        abstract boolean listeningClosed(BaseServer<?> server);

        /** Opens a client of this server type. */
        Client connect(BaseServer<?> server) throws IOException {
            return client.open(server.address());
        }
    }

    /** Opens a client talking to a server at {@code target}: a client class's constructor. */
    @FunctionalInterface
    interface ClientOpener {
        Client open(SocketAddress target) throws IOException;
    }

    /** A test client: one connection, or one UDP socket. */
    interface Client extends AutoCloseable {
        /** Sends one line (stream) or datagram. */
        void send(String line) throws IOException;

        /** The next reply, or null at end of stream. */
        String receive() throws IOException;

        /** The client's own address, as the server sees it. */
        SocketAddress localAddress() throws IOException;

        default String exchange(String line) throws IOException {
            send(line);
            return receive();
        }

        @Override
        void close() throws IOException;
    }

    static final class StreamClient implements Client {
        final SocketChannel channel;
        private final InputStream in;

        StreamClient(SocketAddress target) throws IOException {
            channel = SocketChannel.open(target instanceof UnixDomainSocketAddress
                    ? StandardProtocolFamily.UNIX : StandardProtocolFamily.INET);
            try {
                channel.connect(target);
            } catch (IOException e) {
                channel.close();
                throw e;
            }
            in = Channels.newInputStream(channel);
        }

        @Override
        public void send(String line) throws IOException {
            ByteBuffer bytes = ByteBuffer.wrap((line + "\n").getBytes(UTF_8));
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
        }

        /** Sends a last line and ends this side of the connection, so a line-by-line handler finishes. */
        void sendLast(String line) throws IOException {
            send(line);
            channel.shutdownOutput();
        }

        @Override
        public String receive() throws IOException {
            var line = new ByteArrayOutputStream();
            for (int b; (b = in.read()) != '\n'; ) {
                if (b < 0) {
                    return line.size() == 0 ? null : line.toString(UTF_8);
                }
                line.write(b);
            }
            return line.toString(UTF_8);
        }

        @Override
        public SocketAddress localAddress() throws IOException {
            return channel.getLocalAddress();
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    /**
     * A client over TLS (a JDK {@link SSLSocket} checking the certificate is for "localhost"). A handshake the server
     * ended by closing the connection, as a server does with a rejected request, reads as the end of the stream.
     */
    static final class TlsStreamClient implements Client {
        private final SSLSocket socket;
        private final InputStream in;
        private final UnixRelay relay;

        TlsStreamClient(SocketAddress target) throws IOException {
            relay = target instanceof UnixDomainSocketAddress unix ? UnixRelay.open(unix) : null;
            Socket plain = new Socket();
            try {
                plain.connect(relay == null ? target : relay.address);
                socket = (SSLSocket) TestTls.client().getSocketFactory().createSocket(plain, "localhost",
                        plain.getPort(), true);
            } catch (IOException e) {
                plain.close();
                throw e;
            }
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(parameters);
            socket.setSoTimeout(20_000);
            in = socket.getInputStream();
        }

        @Override
        public void send(String line) throws IOException {
            socket.getOutputStream().write((line + "\n").getBytes(UTF_8));
            socket.getOutputStream().flush();
        }

        @Override
        public String receive() throws IOException {
            var line = new ByteArrayOutputStream();
            try {
                for (int b; (b = in.read()) != '\n'; ) {
                    if (b < 0) {
                        return line.size() == 0 ? null : line.toString(UTF_8);
                    }
                    line.write(b);
                }
            } catch (SSLHandshakeException e) {
                if (e.getCause() instanceof EOFException) {
                    return null;
                }
                throw e;
            }
            return line.toString(UTF_8);
        }

        @Override
        public SocketAddress localAddress() throws IOException {
            return relay == null ? socket.getLocalSocketAddress() : relay.unix.getLocalAddress();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /**
     * Carries a TLS client's bytes to a Unix stream server, since the JDK's TLS socket runs over TCP only: the client
     * connects to {@link #address} on loopback, and two threads copy each way, an end of stream as an end of stream.
     */
    static final class UnixRelay {
        final SocketChannel unix;
        final SocketAddress address;
        private final ServerSocketChannel listener;

        private UnixRelay(SocketChannel unix, ServerSocketChannel listener) throws IOException {
            this.unix = unix;
            this.listener = listener;
            this.address = listener.getLocalAddress();
        }

        static UnixRelay open(UnixDomainSocketAddress target) throws IOException {
            SocketChannel unix = SocketChannel.open(target);
            ServerSocketChannel listener = ServerSocketChannel.open().bind(new InetSocketAddress(LOOPBACK, 0));
            UnixRelay relay = new UnixRelay(unix, listener);
            Thread.ofPlatform().daemon().name("unix relay " + target).start(relay::run);
            return relay;
        }

        private void run() {
            try (listener; unix; SocketChannel tcp = listener.accept()) {
                listener.close();
                Thread back = Thread.ofPlatform().daemon().name("unix relay back").start(() -> copy(unix, tcp));
                copy(tcp, unix);
                back.join();
            } catch (IOException | InterruptedException e) {
                // the client or the server went away: closing both ends says so
            }
        }

        private static void copy(SocketChannel from, SocketChannel to) {
            ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);
            try {
                while (from.read(buffer.clear()) >= 0) {
                    buffer.flip();
                    while (buffer.hasRemaining()) {
                        to.write(buffer);
                    }
                }
                to.shutdownOutput();
            } catch (IOException e) {
                try {
                    from.close();
                    to.close();
                } catch (IOException closing) {
                    // closed either way
                }
            }
        }
    }

    static final class UdpClient implements Client {
        private final DatagramSocket socket;
        private final SocketAddress target;

        UdpClient(SocketAddress target) throws IOException {
            this.target = target;
            socket = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
            socket.setSoTimeout(20_000);
        }

        @Override
        public void send(String line) throws IOException {
            byte[] bytes = line.getBytes(UTF_8);
            socket.send(new DatagramPacket(bytes, bytes.length, target));
        }

        @Override
        public String receive() throws IOException {
            var packet = new DatagramPacket(new byte[65_536], 65_536);
            socket.receive(packet);
            return new String(packet.getData(), 0, packet.getLength(), UTF_8);
        }

        @Override
        public SocketAddress localAddress() {
            return socket.getLocalSocketAddress();
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    /** A Unix datagram client bound to an automatic abstract address, so that it can be answered. */
    static final class UnixDatagramClient implements Client {
        private final UnixDatagramSocket socket;
        private final SocketAddress target;

        UnixDatagramClient(SocketAddress target) throws IOException {
            this.target = target;
            socket = UnixDatagramSocket.bindAutomatic();
        }

        @Override
        public void send(String line) throws IOException {
            socket.send(ByteBuffer.wrap(line.getBytes(UTF_8)), target);
        }

        @Override
        public String receive() throws IOException {
            ByteBuffer buffer = ByteBuffer.allocate(65_536);
            if (socket.receive(buffer, Duration.ofSeconds(20)) == null) {
                throw new SocketTimeoutException("no reply from " + target);
            }
            return new String(buffer.array(), 0, buffer.position(), UTF_8);
        }

        @Override
        public SocketAddress localAddress() {
            return socket.boundAddress();
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    /** A serveForever() running on its own thread. */
    static final class Serving {
        final BaseServer<?> server;
        final CompletableFuture<Void> done = new CompletableFuture<>();
        final Thread thread;

        private Serving(BaseServer<?> server) {
            this.server = server;
            this.thread = Thread.ofPlatform().name("serving " + server).start(() -> {
                try {
                    server.serveForever();
                    done.complete(null);
                } catch (Throwable e) {
                    done.completeExceptionally(e);
                }
            });
        }

        static Serving start(BaseServer<?> server) {
            return new Serving(server);
        }

        /** Waits for serveForever to return, rethrowing what it threw. */
        void awaitStopped() throws Exception {
            done.get(20, TimeUnit.SECONDS);
            thread.join();
        }

        void shutdownAndAwait() throws Exception {
            server.shutdown();
            awaitStopped();
        }
    }
}
