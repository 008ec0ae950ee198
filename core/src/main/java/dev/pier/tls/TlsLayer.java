package dev.pier.tls;

import dev.pier.layer.Layer;
import dev.pier.reactor.DelayedCall;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * TLS on one connection, on the JDK's {@link SSLEngine}. The handshake runs on the bytes that arrive; the layers
 * above and the protocol hear of the connection only once it has completed, so a protocol's {@code connectionMade}
 * can already ask what was negotiated. What the protocol writes before then is held (it counts in
 * {@link #heldBytes()}) and sent once the handshake completes.
 *
 * <pre>{@code
 * // In a protocol behind TlsServer or TlsClient layers:
 * public void connectionMade(Transport transport) {
 *     TlsLayer tls = transport.layer(TlsLayer.class).orElseThrow();
 *     if (tls.applicationProtocol().equals(Optional.of("h2"))) { ... }
 *     List<X509Certificate> client = tls.peerCertificates();   // empty unless the peer sent one
 * }
 * }</pre>
 *
 * <p>A close from above sends close_notify after everything written, then closes. The peer's close_notify is a clean
 * end of input; its end of stream without one is a truncation, and the connection is aborted with an
 * {@link SSLException}, as is any failure after the handshake (a damaged record). A failed handshake (a client
 * speaking plain HTTP, a refused certificate, a handshake that takes longer than its timeout) sends the alert and
 * closes the connection, which the protocol never saw. Either way {@link #failure()} keeps the one-line cause, and
 * it is logged at DEBUG level on {@code dev.pier.tls}. Made by {@link TlsServer} and {@link TlsClient}.
 */
public final class TlsLayer implements Layer {

    private static final System.Logger LOG = System.getLogger("dev.pier.tls");
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    /** Hears how each handshake ended: a server counts them, and logs the failures. */
    interface HandshakeOutcomes {
        /** The handshake completed. */
        void completed();

        /** The handshake failed, for {@code reason} (one line). */
        void failed(String reason);
    }

    /** Makes the engine when the connection is up, so it is taken from the configuration current then. */
    interface EngineSource {
        SSLEngine newEngine(SocketAddress peer, long nanoTime);
    }

    private final EngineSource source;
    private final Duration handshakeTimeout;
    private final HandshakeOutcomes handshakeOutcomes;
    private final HandshakeSlots slots;          // null for a client: it runs one handshake
    private final Runnable admitWhenFree = this::admitLater;
    private boolean holdsSlot;
    private boolean waitingForSlot;
    private final ArrayDeque<ByteBuffer> held = new ArrayDeque<>();
    private long heldBytes;
    private SSLEngine engine;
    private Context context;
    private ByteBuffer netIn = ByteBuffer.allocate(0);
    private ByteBuffer appIn = ByteBuffer.allocate(0);
    private ByteBuffer netOut = ByteBuffer.allocate(0);
    private DelayedCall timeout;
    private boolean handshakeDone;
    private boolean sawFirstByte;
    private boolean inputEnded;
    private boolean closing;          // close requested: close_notify goes out after the held writes
    private boolean shutdownOutput;   // same, but a half close
    private boolean outputClosed;
    private boolean finished;         // lost or failed: nothing more happens
    private boolean processing;
    private boolean announcePending;
    private boolean failQuietly;
    private boolean closePassed;
    private boolean shutdownPassed;
    private Exception failure;

    TlsLayer(EngineSource source, Duration handshakeTimeout, HandshakeOutcomes handshakeOutcomes,
            HandshakeSlots slots) {
        this.source = Objects.requireNonNull(source, "source");
        this.slots = slots;
        this.handshakeTimeout = Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
        this.handshakeOutcomes = Objects.requireNonNull(handshakeOutcomes, "handshakeOutcomes");
    }

    // ---- what a protocol may ask

    /** True once the handshake completed. */
    public boolean isHandshakeComplete() {
        return handshakeDone;
    }

    /** The session: the negotiated one once the handshake completed. */
    public SSLSession session() {
        return engine == null ? null : engine.getSession();
    }

    /** The negotiated protocol version, such as {@code TLSv1.3}. */
    public String protocolVersion() {
        return session() == null ? "NONE" : session().getProtocol();
    }

    /** The negotiated cipher suite, such as {@code TLS_AES_128_GCM_SHA256}. */
    public String cipherSuite() {
        return session() == null ? "SSL_NULL_WITH_NULL_NULL" : session().getCipherSuite();
    }

    /** The ALPN protocol both sides agreed on, if any. */
    public Optional<String> applicationProtocol() {
        String protocol = engine == null ? null : engine.getApplicationProtocol();
        return protocol == null || protocol.isEmpty() ? Optional.empty() : Optional.of(protocol);
    }

    /** The server name (SNI) the client asked for: the received one on a server, the sent one on a client. */
    public Optional<String> serverName() {
        if (engine == null) {
            return Optional.empty();
        }
        List<SNIServerName> names;
        if (engine.getUseClientMode()) {
            names = engine.getSSLParameters().getServerNames();
        } else {
            SSLSession session = engine.getHandshakeSession() != null ? engine.getHandshakeSession()
                    : engine.getSession();
            names = session instanceof ExtendedSSLSession extended ? extended.getRequestedServerNames() : List.of();
        }
        if (names == null) {
            return Optional.empty();
        }
        return names.stream().filter(n -> n instanceof SNIHostName).map(n -> ((SNIHostName) n).getAsciiName())
                .findFirst();
    }

    /** The peer's certificate chain, leaf first; empty if it sent none. */
    public List<X509Certificate> peerCertificates() {
        if (!handshakeDone) {
            return List.of();
        }
        try {
            List<X509Certificate> chain = new ArrayList<>();
            for (Certificate certificate : engine.getSession().getPeerCertificates()) {
                if (certificate instanceof X509Certificate x509) {
                    chain.add(x509);
                }
            }
            return List.copyOf(chain);
        } catch (SSLPeerUnverifiedException e) {
            return List.of();
        }
    }

    /** Why this layer ended its connection, if it did: a one-line {@link SSLException}. */
    public Optional<Exception> failure() {
        return Optional.ofNullable(failure);
    }

    // ---- Layer

    @Override
    public void connectionMade(Context context) {
        this.context = context;
        try {
            engine = source.newEngine(context.remoteAddress(), context.scheduler().nanoTime());
            engine.beginHandshake();
        } catch (SSLException | RuntimeException e) {
            fail(new SSLException("TLS could not start: " + KeyFiles.oneLine(e), e));
            return;
        }
        SSLSession session = engine.getSession();
        netIn = ByteBuffer.allocate(session.getPacketBufferSize());
        appIn = ByteBuffer.allocate(session.getApplicationBufferSize());
        netOut = ByteBuffer.allocate(session.getPacketBufferSize());
        if (!handshakeTimeout.isZero() && !handshakeTimeout.isNegative()) {
            timeout = context.scheduler().callLater(handshakeTimeout, () -> {
                timeout = null;
                if (!handshakeDone) {
                    fail(new SSLHandshakeException("TLS handshake with " + context.remoteAddress()
                            + " not finished after " + seconds(handshakeTimeout)));
                }
            });
        }
        if (slots != null) {
            if (slots.tryTake(admitWhenFree)) {
                holdsSlot = true;
            } else {
                waitingForSlot = true;
                context.pauseReading();
            }
        }
        process();
    }

    /** A slot was handed over, on whichever thread gave it back: the handshake goes on on this connection's own. */
    private void admitLater() {
        context.scheduler().callLater(Duration.ZERO, () -> {
            waitingForSlot = false;
            holdsSlot = true;
            if (finished || handshakeDone) {
                giveSlotBack();
            } else {
                context.resumeReading();
            }
        });
    }

    private void giveSlotBack() {
        if (holdsSlot) {
            holdsSlot = false;
            slots.give();
        } else if (waitingForSlot) {
            waitingForSlot = false;
            slots.forget(admitWhenFree);
        }
    }

    @Override
    public void dataReceived(ByteBuffer data, Context context) {
        if (finished || engine == null || inputEnded) {
            data.position(data.limit());
            return;
        }
        if (!sawFirstByte && data.hasRemaining()) {
            sawFirstByte = true;
            if (!engine.getUseClientMode() && looksLikePlaintext(data)) {
                failQuietly = true;   // an alert means nothing to a plaintext client
                fail(new SSLException("the peer spoke plaintext, not TLS (it began with '"
                        + printable(data) + "'): it must connect with TLS"));
                return;
            }
        }
        append(data);
        process();
    }

    @Override
    public void write(ByteBuffer data, Context context) {
        if (finished || outputClosed || closing || shutdownOutput) {
            data.position(data.limit());
            return;
        }
        if (!handshakeDone || !held.isEmpty()) {
            hold(data);
            return;
        }
        try {
            wrap(data);
            if (data.hasRemaining() && !finished && !outputClosed) {
                hold(data);
            }
        } catch (FromAbove e) {
            throw e.unwrap();
        } catch (SSLException | RuntimeException e) {
            fail(e);
        }
    }

    @Override
    public void inputEnded(Context context) {
        if (finished || inputEnded) {
            return;
        }
        if (engine != null && engine.isInboundDone()) {
            return;   // the close_notify already ended the input
        }
        inputEnded = true;
        fail(new SSLException(handshakeDone
                ? "TLS connection truncated: " + context.remoteAddress() + " closed without close_notify"
                : "TLS handshake with " + context.remoteAddress() + " failed: the peer closed the connection"));
    }

    @Override
    public void closeRequested(Context context) {
        if (finished) {
            return;
        }
        closing = true;
        if (handshakeDone) {
            flushHeldAndClose();
        }
    }

    @Override
    public void shutdownOutputRequested(Context context) {
        if (finished) {
            return;
        }
        shutdownOutput = true;
        if (handshakeDone) {
            flushHeldAndClose();
        }
    }

    @Override
    public long heldBytes() {
        return heldBytes;
    }

    @Override
    public void connectionLost(Context context) {
        finished = true;
        cancelTimeout();
        giveSlotBack();
        held.clear();
        heldBytes = 0;
        if (engine != null) {
            engine.closeOutbound();
        }
    }

    // ---- the engine

    /** Runs the engine until it needs bytes it does not have. */
    private void process() {
        if (processing) {
            return;   // a protocol call from inside passUp: the loop below goes on after it
        }
        processing = true;
        try {
            while (!finished) {
                HandshakeStatus status = engine.getHandshakeStatus();
                if (status == HandshakeStatus.NEED_TASK) {
                    runTasks();
                } else if (status == HandshakeStatus.NEED_WRAP) {
                    if (!wrap(EMPTY)) {
                        break;
                    }
                } else if (!unwrap()) {
                    break;
                }
            }
            announceIfFinished();
            if (handshakeDone && !held.isEmpty() && !finished) {
                flushHeldAndClose();
            }
        } catch (FromAbove e) {
            throw e.unwrap();
        } catch (SSLException | RuntimeException e) {
            fail(e);
        } finally {
            processing = false;
        }
    }

    /** Unwraps one record; false if a whole record is not there yet or input is closed. */
    private boolean unwrap() throws SSLException {
        if (netIn.position() == 0 || engine.isInboundDone()) {
            return false;
        }
        netIn.flip();
        SSLEngineResult result;
        try {
            result = engine.unwrap(netIn, appIn);
        } finally {
            netIn.compact();
        }
        noteFinished(result);
        switch (result.getStatus()) {
            case BUFFER_OVERFLOW -> {
                boolean wasEmpty = appIn.position() == 0;
                deliver();   // room for the record, unless it did not fit even in an empty buffer
                if (wasEmpty) {
                    appIn = ByteBuffer.allocate(Math.max(appIn.capacity() * 2,
                            engine.getSession().getApplicationBufferSize()));
                }
                return true;
            }
            case BUFFER_UNDERFLOW -> {
                netIn = grow(netIn, engine.getSession().getPacketBufferSize());
                return false;
            }
            case CLOSED -> {
                deliver();
                if (!handshakeDone) {
                    throw new SSLException("the peer closed the TLS connection during the handshake");
                }
                context.passInputEnded();
                return engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP;   // TLS 1.2 answers in kind
            }
            default -> {
                deliver();
                return result.bytesConsumed() > 0 || result.bytesProduced() > 0;
            }
        }
    }

    /**
     * Wraps {@code data} (or one handshake flight if it is empty) and passes the records down; false if the engine
     * produced nothing. Bytes the engine will not take yet (during a TLS 1.2 renegotiation) are left in
     * {@code data}.
     */
    private boolean wrap(ByteBuffer data) throws SSLException {
        boolean produced = false;
        while (!finished) {
            netOut.clear();
            SSLEngineResult result = engine.wrap(data, netOut);
            if (result.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                netOut = ByteBuffer.allocate(Math.max(netOut.capacity() * 2,
                        engine.getSession().getPacketBufferSize()));
                continue;
            }
            noteFinished(result);
            netOut.flip();
            if (netOut.hasRemaining()) {
                produced = true;
                context.passDown(netOut);
            }
            if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
                outputClosed = true;
                break;
            }
            if (engine.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
                runTasks();
            }
            if (!data.hasRemaining()) {
                break;
            }
            if (result.bytesConsumed() == 0 && result.bytesProduced() == 0) {
                break;
            }
        }
        announceIfFinished();
        return produced;
    }

    /** Notes the end of the handshake; it is announced once the engine's output is passed on. */
    private void noteFinished(SSLEngineResult result) {
        if (!handshakeDone && result.getHandshakeStatus() == HandshakeStatus.FINISHED) {
            handshakeDone = true;
            handshakeOutcomes.completed();
            announcePending = true;
            cancelTimeout();
            giveSlotBack();
        }
    }

    private void announceIfFinished() {
        if (announcePending && !finished) {
            announcePending = false;
            try {
                context.passConnectionMade();
            } catch (RuntimeException e) {
                throw new FromAbove(e);
            }
            if (!finished) {
                flushHeldAndClose();
            }
        }
    }

    /** After the handshake: sends what was held, then the close_notify asked for meanwhile. */
    private void flushHeldAndClose() {
        try {
            long before = heldBytes;
            while (!held.isEmpty() && !finished) {
                ByteBuffer next = held.peek();
                int remaining = next.remaining();
                wrap(next);
                heldBytes -= remaining - next.remaining();
                if (next.hasRemaining()) {
                    break;   // the engine takes no data now; the next record from the peer lets it go on
                }
                held.poll();
            }
            if (heldBytes < before && !finished) {
                context.heldBytesChanged();
            }
            boolean closeDue = closing && !closePassed;
            boolean shutdownDue = shutdownOutput && !shutdownPassed && !closing;
            if (!held.isEmpty() || finished || !(closeDue || shutdownDue)) {
                return;
            }
            if (!outputClosed) {
                engine.closeOutbound();
                while (!finished && wrap(EMPTY)) {
                    // close_notify, and anything the engine still had to say
                }
                outputClosed = true;
            }
            if (finished) {
                return;
            }
            if (closeDue) {
                closePassed = true;
                context.passClose();
            } else {
                shutdownPassed = true;
                context.passShutdownOutput();
            }
        } catch (FromAbove e) {
            throw e;
        } catch (SSLException | RuntimeException e) {
            fail(e);
        }
    }

    private void hold(ByteBuffer data) {
        if (data.hasRemaining()) {
            ByteBuffer copy = ByteBuffer.allocate(data.remaining());
            copy.put(data).flip();
            held.add(copy);
            heldBytes += copy.remaining();
        }
    }

    private void deliver() {
        announceIfFinished();
        appIn.flip();
        try {
            if (appIn.hasRemaining() && !finished && handshakeDone) {
                context.passUp(appIn);
            }
        } catch (RuntimeException e) {
            throw new FromAbove(e);
        } finally {
            appIn.clear();
        }
    }

    private void runTasks() {
        for (Runnable task; (task = engine.getDelegatedTask()) != null; ) {
            task.run();
        }
    }

    private void append(ByteBuffer data) {
        if (netIn.remaining() < data.remaining()) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(netIn.capacity() * 2, netIn.position() + data.remaining()));
            netIn.flip();
            bigger.put(netIn);
            netIn = bigger;
        }
        netIn.put(data);
    }

    private static ByteBuffer grow(ByteBuffer buffer, int wanted) {
        if (buffer.capacity() >= wanted && buffer.position() < buffer.capacity()) {
            return buffer;
        }
        ByteBuffer bigger = ByteBuffer.allocate(Math.max(wanted, buffer.capacity() * 2));
        buffer.flip();
        bigger.put(buffer);
        return bigger;
    }

    /**
     * Ends the connection because of {@code cause}, sending the engine's alert first if it has one. During the
     * handshake the connection is closed rather than reset, so that the peer reads the alert (an abort may drop it)
     * and can say why; nothing above has seen the connection yet. After it, the connection is aborted and the
     * protocol's connectionLost carries the cause.
     */
    private void fail(Exception cause) {
        if (finished) {
            return;
        }
        Exception reported = cause instanceof SSLException && isOneLine(cause) ? cause
                : new SSLException(describe(cause), cause);
        failure = reported;
        cancelTimeout();
        try {
            if (failQuietly) {
                throw new SSLException("no alert");
            }
            engine.closeOutbound();
            netOut.clear();
            if (engine.wrap(EMPTY, netOut).bytesProduced() > 0) {
                netOut.flip();
                context.passDown(netOut);
            }
        } catch (SSLException | RuntimeException ignored) {
            // no alert then: the abort says enough
        }
        finished = true;
        giveSlotBack();
        LOG.log(Level.DEBUG, () -> "TLS with " + context.remoteAddress() + ": " + reported.getMessage());
        if (!handshakeDone) {
            handshakeOutcomes.failed(reported.getMessage());
        }
        if (handshakeDone) {
            context.abort(reported);
        } else {
            context.refuse(reported);
        }
    }

    private String describe(Exception cause) {
        String where = context == null ? "" : " with " + context.remoteAddress();
        return (handshakeDone ? "TLS" + where + " failed: " : "TLS handshake" + where + " failed: ")
                + KeyFiles.oneLine(cause);
    }

    private static boolean isOneLine(Exception cause) {
        return cause.getMessage() != null && cause.getMessage().indexOf('\n') < 0 && cause.getCause() == null;
    }

    private void cancelTimeout() {
        if (timeout != null) {
            timeout.cancel();
            timeout = null;
        }
    }

    /** A TLS record starts with a content type of 20 to 24; a plaintext request starts with a letter. */
    private static boolean looksLikePlaintext(ByteBuffer data) {
        int first = data.get(data.position()) & 0xFF;
        return (first >= 'A' && first <= 'Z') || (first >= 'a' && first <= 'z');
    }

    private static String printable(ByteBuffer data) {
        StringBuilder out = new StringBuilder();
        for (int i = data.position(); i < data.limit() && out.length() < 16; i++) {
            char c = (char) (data.get(i) & 0xFF);
            if (c == '\r' || c == '\n') {
                break;
            }
            out.append(c >= 0x20 && c < 0x7F ? c : '?');
        }
        return out.toString();
    }

    private static String seconds(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() + " ms";
    }

    /** A failure of the protocol above, carried through the engine loop untouched. */
    private static final class FromAbove extends RuntimeException {
        FromAbove(RuntimeException cause) {
            super(cause);
        }

        RuntimeException unwrap() {
            return getCause() instanceof FromAbove inner ? inner.unwrap() : (RuntimeException) getCause();
        }
    }

    @Override
    public String toString() {
        return "TLS " + (engine == null ? "" : engine.getUseClientMode() ? "client" : "server")
                + (handshakeDone ? " " + protocolVersion() : " handshaking");
    }
}
