package dev.pier.bench;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.net.Socket;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The driver's side of one TLS connection: the JDK's {@link SSLEngine} over a {@link SocketChannel}, driven by the
 * selector loop that owns it (or, in blocking mode, to the end of the handshake in one call). Ciphertext waits in
 * two buffers made with the connection; plaintext received is counted and dropped, as the plain echo driver only
 * counts bytes.
 *
 * <p>Each engine is made without the peer's host and port, so the JDK keeps no session to resume: every
 * connection makes a full TLS 1.3 handshake.
 */
final class TlsChannel {

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    private static final String[] TLS_1_3 = {"TLSv1.3"};

    final SocketChannel channel;
    private final SSLEngine engine;
    /** Ciphertext read, not yet unwrapped (write mode). */
    private final ByteBuffer netIn;
    /** Ciphertext wrapped, not yet sent (read mode: position to limit is pending); room for two records. */
    private final ByteBuffer netOut;
    /** Plaintext unwrapped; counted and cleared. */
    private final ByteBuffer appIn;
    private boolean closed;

    /** A new connection's TLS over {@code channel}, with new buffers. */
    TlsChannel(SocketChannel channel, SSLContext context) throws SSLException {
        this(channel, context, null);
    }

    /**
     * A new connection's TLS over {@code channel}, reusing the buffers of {@code previous} (a connection of the
     * same client that is over), so that a client reconnecting allocates only what the JDK's engine does.
     */
    TlsChannel(SocketChannel channel, SSLContext context, TlsChannel previous) throws SSLException {
        this.channel = channel;
        engine = context.createSSLEngine();
        engine.setUseClientMode(true);
        engine.setEnabledProtocols(TLS_1_3);
        if (previous != null) {
            netIn = previous.netIn.clear();
            netOut = previous.netOut.clear().flip();
            appIn = previous.appIn.clear();
        } else {
            SSLSession session = engine.getSession();
            netIn = ByteBuffer.allocate(session.getPacketBufferSize());
            netOut = ByteBuffer.allocate(2 * session.getPacketBufferSize()).flip();
            appIn = ByteBuffer.allocate(session.getApplicationBufferSize());
        }
        engine.beginHandshake();
    }

    /**
     * A client context that trusts exactly {@code certificate} (the servers' self-signed one) and nothing else.
     * The pin stands in for a PKIX path check of a chain of one; the handshake still verifies the server's
     * signature with the certificate's key.
     */
    static SSLContext trusting(X509Certificate certificate) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new Pinned(certificate)}, null);
            return context;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("the JDK's TLS cannot be set up: " + e, e);
        }
    }

    /** Reads a PEM certificate file. */
    static X509Certificate certificate(java.nio.file.Path file) throws IOException {
        try (var in = java.nio.file.Files.newInputStream(file)) {
            return (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificate(in);
        } catch (CertificateException e) {
            throw new IOException("cannot read the certificate " + file + ": " + e.getMessage(), e);
        }
    }

    /** Whether the server has closed (close_notify or end of stream). */
    boolean closed() {
        return closed;
    }

    /** Whether ciphertext is waiting for the socket to take it: the connection then waits to be writable. */
    boolean pendingOutput() {
        return netOut.hasRemaining();
    }

    /** Sends what is pending; true once all of it has left. */
    boolean flush() throws IOException {
        while (netOut.hasRemaining()) {
            if (channel.write(netOut) == 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Takes the handshake as far as the socket allows: true once it is done, false while it waits for the socket
     * (to be writable if {@link #pendingOutput()}, else readable). On a blocking channel it returns only when done.
     *
     * @throws IOException if the handshake fails or the server closes during it
     */
    boolean handshake() throws IOException {
        while (true) {
            SSLEngineResult.HandshakeStatus status = engine.getHandshakeStatus();
            if (status == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
                // A flight is several records (TLS 1.3's compatibility ChangeCipherSpec, then Finished): all of
                // them leave in one write, as a second small write would wait for the first's delayed ACK.
                wrap(EMPTY);
                continue;
            }
            if (!flush()) {
                return false;
            }
            switch (status) {
                case NEED_WRAP -> throw new AssertionError("wrapped above");
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    if (!unwrapHandshake()) {
                        return false;
                    }
                }
                case NEED_TASK -> runTasks();
                case FINISHED, NOT_HANDSHAKING -> {
                    return true;
                }
            }
        }
    }

    /** Encrypts all of {@code plaintext} and sends it; true if it has all left, false if some waits for the socket. */
    boolean write(ByteBuffer plaintext) throws IOException {
        while (plaintext.hasRemaining()) {
            if (!flush()) {
                return false;
            }
            wrap(plaintext);
        }
        return flush();
    }

    /**
     * Reads what the socket has, decrypts it and drops the plaintext: how many plaintext bytes came. Unwraps what
     * was already read first, and reads the socket only when that is used up, once nothing has come yet (so a
     * ping-pong costs one read per reply). Sets {@link #closed()} when the server has closed.
     */
    long readAndDiscard() throws IOException {
        long received = 0;
        while (!closed) {
            SSLEngineResult result = engine.unwrap(netIn.flip(), appIn);
            netIn.compact();
            received += appIn.position();
            appIn.clear();
            afterUnwrap(result);
            switch (result.getStatus()) {
                case OK, BUFFER_OVERFLOW -> {
                    // More records may wait in netIn; an overflow is cleared above.
                }
                case CLOSED -> closed = true;
                case BUFFER_UNDERFLOW -> {
                    if (received > 0) {
                        return received;
                    }
                    int read = channel.read(netIn);
                    if (read < 0) {
                        closed = true;
                    } else if (read == 0) {
                        return received;
                    }
                }
            }
        }
        return received;
    }

    private boolean unwrapHandshake() throws IOException {
        while (true) {
            SSLEngineResult result = engine.unwrap(netIn.flip(), appIn);
            netIn.compact();
            switch (result.getStatus()) {
                case OK -> {
                    return true;
                }
                case CLOSED -> throw new EOFException("the server closed the connection during the TLS handshake");
                case BUFFER_OVERFLOW -> throw new SSLException("application data during the handshake overflowed");
                case BUFFER_UNDERFLOW -> {
                    int read = channel.read(netIn);
                    if (read < 0) {
                        throw new EOFException("the server closed the connection during the TLS handshake");
                    }
                    if (read == 0) {
                        return false;
                    }
                }
            }
        }
    }

    /** After the handshake a server may still send handshake messages (tickets, key updates): answer them. */
    private void afterUnwrap(SSLEngineResult result) throws IOException {
        SSLEngineResult.HandshakeStatus status = result.getHandshakeStatus();
        if (status == SSLEngineResult.HandshakeStatus.NEED_TASK) {
            runTasks();
            status = engine.getHandshakeStatus();
        }
        if (status == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
            flush();
            wrap(EMPTY);
            flush();
        }
    }

    private void wrap(ByteBuffer plaintext) throws IOException {
        if (netOut.capacity() - netOut.remaining() < netIn.capacity()) {
            flush();
        }
        netOut.compact();
        SSLEngineResult result;
        try {
            result = engine.wrap(plaintext, netOut);
        } finally {
            netOut.flip();
        }
        if (result.getStatus() != SSLEngineResult.Status.OK
                && !(result.getStatus() == SSLEngineResult.Status.CLOSED && engine.isOutboundDone())) {
            throw new SSLException("wrap: " + result.getStatus());
        }
    }

    private void runTasks() {
        for (Runnable task; (task = engine.getDelegatedTask()) != null; ) {
            task.run();
        }
    }

    /**
     * Answers the server's close_notify with the driver's own, as a TLS client closing cleanly does (a server may
     * report a connection closed without one as truncated), then closes the socket.
     */
    void closeNotifyAndClose() {
        try {
            engine.closeOutbound();
            while (!engine.isOutboundDone()) {
                wrap(EMPTY);
            }
            flush();
        } catch (IOException ignored) {
            // The server may be gone already; the connection was counted either way.
        }
        close();
    }

    void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // The run is over for this connection; it was counted.
        }
    }

    /** Trusts the one certificate it was made with, as a client pinning its server's. */
    private static final class Pinned extends X509ExtendedTrustManager {
        private final X509Certificate certificate;

        Pinned(X509Certificate certificate) {
            this.certificate = certificate;
        }

        private void check(X509Certificate[] chain) throws CertificateException {
            if (chain == null || chain.length == 0 || !chain[0].equals(certificate)) {
                throw new CertificateException("the server's certificate is not the one the benchmark made");
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            check(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            throw new CertificateException("the driver is a client only");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            throw new CertificateException("the driver is a client only");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("the driver is a client only");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[] {certificate};
        }
    }
}
