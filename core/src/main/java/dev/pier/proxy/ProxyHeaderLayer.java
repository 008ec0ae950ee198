package dev.pier.proxy;

import dev.pier.layer.Layer;
import dev.pier.reactor.DelayedCall;
import java.net.ProtocolException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Reads the PROXY protocol header (version 1 or 2, told apart by its first bytes) a load balancer such as HAProxy
 * sends before anything else, and makes the connection report the client the header names. The connection is held
 * until the header is complete: only then do the layers above and the protocol see {@code connectionMade}, with
 * {@code remoteAddress()} the header's source and {@code localAddress()} its destination; bytes that follow the
 * header are passed up as they came.
 *
 * <p>A connection whose first bytes are not a valid header, or that sends no complete header within the timeout,
 * is aborted before the protocol hears of it; its cause starts with {@code no valid PROXY protocol header:} and it
 * counts in {@link ProxyProtocol#rejectedConnections()}. Since a header is trusted, listen with this layer only
 * where nothing but the proxy can connect.
 *
 * <pre>{@code
 * ProxyProtocol proxy = ProxyProtocol.layer();
 * reactor.listenTcp(8080, LayeredProtocol.wrap(factory, List.of(proxy)));
 * // in the protocol:
 * public void connectionMade(Transport transport) {
 *     SocketAddress client = transport.remoteAddress();          // the header's source
 *     Optional<String> host = transport.layer(ProxyHeaderLayer.class).orElseThrow().header().authority();
 * }
 * }</pre>
 */
public final class ProxyHeaderLayer implements Layer {

    private final ProxyProtocol settings;
    private ProxyHeaderDecoder decoder = new ProxyHeaderDecoder();
    private DelayedCall timer;
    private ProxyHeader header;
    private boolean rejected;

    ProxyHeaderLayer(ProxyProtocol settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /**
     * The header the connection began with.
     *
     * @throws IllegalStateException before it is complete: never for a protocol above, which is told of the
     *                               connection only after
     */
    public ProxyHeader header() {
        if (header == null) {
            throw new IllegalStateException("the PROXY protocol header has not been read yet");
        }
        return header;
    }

    /** True once the header is read and the connection passed on. */
    public boolean isHeaderRead() {
        return header != null;
    }

    @Override
    public void connectionMade(Context context) {
        timer = context.scheduler().callLater(settings.timeout(), () -> {
            if (header == null) {
                reject(context, new SocketTimeoutException(ProxyHeaderDecoder.PREFIX + "none complete within "
                        + settings.timeout().toMillis() + " ms (" + decoder.count() + " bytes received)"));
            }
        });
    }

    @Override
    public void dataReceived(ByteBuffer data, Context context) {
        if (header != null) {
            context.passUp(data);
            return;
        }
        if (rejected) {
            data.position(data.limit());
            return;
        }
        ProxyHeader decoded;
        try {
            if (!decoder.feed(data)) {
                return;
            }
            decoded = decoder.decode(context.localAddress(), context.remoteAddress());
        } catch (ProtocolException malformed) {
            data.position(data.limit());
            reject(context, malformed);
            return;
        } catch (RuntimeException bug) {
            // Whatever the peer sent, it must not throw into the transport: a failure here is a rejection too.
            data.position(data.limit());
            reject(context, new ProtocolException(ProxyHeaderDecoder.PREFIX + "could not be decoded (" + bug + ")"));
            return;
        }
        cancelTimer();
        header = decoded;
        decoder = null;   // the buffer may be 64 KiB: not kept for the connection's life
        settings.accepted();
        if (decoded.namesAddresses()) {
            context.setAddresses(decoded.destination(), decoded.source());
        }
        context.passConnectionMade();
        if (data.hasRemaining()) {
            context.passUp(data);
        }
    }

    @Override
    public void inputEnded(Context context) {
        if (header != null) {
            context.passInputEnded();
        } else if (!rejected) {
            reject(context, ProxyHeaderDecoder.fail("the peer ended its stream after " + decoder.count()
                    + " bytes, before the header was complete"));
        }
    }

    @Override
    public void connectionLost(Context context) {
        cancelTimer();
    }

    private void reject(Context context, Exception cause) {
        if (rejected) {
            return;
        }
        rejected = true;
        cancelTimer();
        settings.rejected();
        context.abort(cause);
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }

    @Override
    public String toString() {
        return header == null ? "PROXY protocol header (not read)" : header.toString();
    }
}
