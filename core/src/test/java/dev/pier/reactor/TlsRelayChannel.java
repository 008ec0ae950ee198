package dev.pier.reactor;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A plain blocking {@link SocketChannel} whose bytes travel over TLS: a JDK {@link SSLSocket} connects to the server,
 * and two threads relay between it and a loopback socket pair, of which the test holds one end. So tests written
 * for a plain client socket run unchanged against a TLS server.
 *
 * <p>What the test does to its end is carried over: its end of stream becomes a close_notify (a TLS 1.3 half close),
 * a reset of its end (closing with unread bytes) a reset of the TLS connection. What the server does comes back the
 * same way: its close_notify or end of stream is an end of stream, a reset is a reset, and a TLS failure (a refused
 * handshake) an end of stream. {@link #getLocalAddress()} is the TLS connection's, the address the server sees.
 */
final class TlsRelayChannel extends SocketChannel {

    private final SocketChannel front;
    private final SocketChannel back;
    private final SSLSocket tls;
    private final List<Thread> threads;
    private final AtomicInteger running = new AtomicInteger(2);
    /** Bytes from the server the test has not read yet, at its end or on their way to it. */
    private final AtomicLong unread = new AtomicLong();

    private TlsRelayChannel(SocketChannel front, SocketChannel back, SSLSocket tls) {
        super(front.provider());
        this.front = front;
        this.back = back;
        this.tls = tls;
        this.threads = List.of(
                Thread.ofPlatform().daemon().name("tls relay up " + tls.getLocalPort()).unstarted(this::up),
                Thread.ofPlatform().daemon().name("tls relay down " + tls.getLocalPort()).unstarted(this::down));
    }

    /** Connects over TLS to {@code server}, checking that its certificate is for {@code serverName}. */
    static TlsRelayChannel open(SSLContext context, SocketAddress server, String serverName) throws IOException {
        InetSocketAddress target = (InetSocketAddress) server;
        Socket plain = new Socket();
        SSLSocket tls;
        try {
            plain.connect(target);
            tls = (SSLSocket) context.getSocketFactory().createSocket(plain, serverName, target.getPort(), true);
        } catch (IOException e) {
            plain.close();
            throw e;
        }
        SSLParameters parameters = tls.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        tls.setSSLParameters(parameters);
        SocketChannel front;
        SocketChannel back;
        try (ServerSocketChannel pair = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            front = SocketChannel.open(pair.getLocalAddress());
            back = pair.accept();
        } catch (IOException e) {
            tls.close();
            throw e;
        }
        TlsRelayChannel channel = new TlsRelayChannel(front, back, tls);
        channel.threads.forEach(Thread::start);
        return channel;
    }

    /** The test's bytes, to the server. */
    private void up() {
        try {
            ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);
            OutputStream out = tls.getOutputStream();
            while (true) {
                int n;
                try {
                    n = back.read(buffer.clear());
                } catch (IOException reset) {
                    resetTls();
                    return;
                }
                if (n < 0) {
                    tls.shutdownOutput();   // close_notify
                    return;
                }
                out.write(buffer.array(), 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // the TLS connection is gone; the other direction reports how
        } finally {
            finished();
        }
    }

    /** The server's bytes, to the test. */
    private void down() {
        try {
            byte[] buffer = new byte[16 * 1024];
            InputStream in = tls.getInputStream();
            while (true) {
                int n;
                try {
                    n = in.read(buffer);
                } catch (SocketException reset) {
                    resetBack();
                    return;
                } catch (IOException failed) {
                    n = -1;   // a refused handshake, a truncation: an end, as a plain client would see it
                }
                if (n < 0) {
                    back.shutdownOutput();
                    return;
                }
                ByteBuffer bytes = ByteBuffer.wrap(buffer, 0, n);
                unread.addAndGet(n);
                try {
                    while (bytes.hasRemaining()) {
                        back.write(bytes);
                    }
                } catch (IOException testLeft) {
                    resetTls();
                    return;
                }
            }
        } catch (IOException e) {
            // the test's end is gone already
        } finally {
            finished();
        }
    }

    private void resetTls() {
        try {
            tls.setSoLinger(true, 0);
            tls.close();
        } catch (IOException e) {
            // closed either way
        }
    }

    private void resetBack() {
        try {
            back.setOption(StandardSocketOptions.SO_LINGER, 0);
            back.close();
        } catch (IOException e) {
            // closed either way
        }
    }

    private void finished() {
        if (running.decrementAndGet() == 0) {
            closeQuietly();
        }
    }

    private void closeQuietly() {
        try {
            tls.close();
        } catch (IOException e) {
            // closed either way
        }
        try {
            back.close();
        } catch (IOException e) {
            // closed either way
        }
    }

    /** Closes every socket of the relay now and waits for its threads. */
    void closeRelay() throws InterruptedException {
        try {
            front.close();
        } catch (IOException e) {
            // closed either way
        }
        closeQuietly();
        for (Thread thread : threads) {
            thread.join();
        }
    }

    // ---- the test's end, with the TLS connection's addresses

    @Override
    public SocketAddress getLocalAddress() throws IOException {
        return tls.getLocalSocketAddress();
    }

    @Override
    public SocketAddress getRemoteAddress() throws IOException {
        return tls.getRemoteSocketAddress();
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        int n = front.read(dst);
        unread.addAndGet(-Math.max(n, 0));
        return n;
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        long n = front.read(dsts, offset, length);
        unread.addAndGet(-Math.max(n, 0));
        return n;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return front.write(src);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        return front.write(srcs, offset, length);
    }

    @Override
    public SocketChannel shutdownInput() throws IOException {
        front.shutdownInput();
        return this;
    }

    @Override
    public SocketChannel shutdownOutput() throws IOException {
        front.shutdownOutput();
        return this;
    }

    @Override
    public Socket socket() {
        return front.socket();
    }

    @Override
    public boolean isConnected() {
        return front.isConnected();
    }

    @Override
    public boolean isConnectionPending() {
        return false;
    }

    @Override
    public boolean connect(SocketAddress remote) {
        throw new UnsupportedOperationException("already connected");
    }

    @Override
    public boolean finishConnect() {
        return true;
    }

    @Override
    public SocketChannel bind(SocketAddress local) {
        throw new UnsupportedOperationException("already connected");
    }

    @Override
    public <T> SocketChannel setOption(SocketOption<T> name, T value) throws IOException {
        front.setOption(name, value);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        return front.getOption(name);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return front.supportedOptions();
    }

    /**
     * Closes the test's end. A plain socket closed with bytes unread resets its connection; so does this one, if the
     * test left bytes unread at its end or on their way to it through the relay.
     */
    @Override
    protected void implCloseSelectableChannel() throws IOException {
        if (unread.get() > 0) {
            resetTls();
        }
        front.close();
    }

    @Override
    protected void implConfigureBlocking(boolean block) throws IOException {
        front.configureBlocking(block);
    }
}
