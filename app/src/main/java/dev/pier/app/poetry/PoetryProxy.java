package dev.pier.app.poetry;

import dev.pier.app.cli.ClientNames;
import dev.pier.reactor.DisconnectReason;
import dev.pier.reactor.Protocol;
import dev.pier.reactor.ProtocolFactory;
import dev.pier.reactor.Transport;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The caching poetry proxy: a client is sent the cached poem if there is one; otherwise the poem is fetched from
 * upstream, cached, and sent to every client that waited for it. However many clients ask at once, there is one
 * upstream fetch; if every waiting client leaves before it finishes, the fetch is cancelled. A failed fetch is not
 * cached, and neither is an empty poem, which is what an upstream that accepts and closes at once sends: the waiting
 * clients are reset, so that none takes the nothing it got for a poem, and the next client tries again.
 *
 * <p>Once the proxy stops listening, a client still waiting or being sent the poem after the grace period is reset:
 * the reactor's own close of what is left would be an orderly one, which a client takes for a whole poem.
 *
 * <pre>{@code
 * var proxy = new PoetryProxy(() -> fetchFromUpstream());   // a future of the poem; cancelling it stops the fetch
 * reactor.listenTcp(10002, proxy);
 * }</pre>
 */
public final class PoetryProxy implements ProtocolFactory {

    private static final Logger LOG = System.getLogger(PoetryProxy.class.getName());

    private final Supplier<CompletableFuture<byte[]>> upstream;
    private final Duration grace;
    private final Set<Transport> waiting = new LinkedHashSet<>();
    private final Set<Transport> connected = new LinkedHashSet<>();
    private byte[] cached;
    private CompletableFuture<byte[]> fetching;
    private int fetches;

    /** {@code upstream} starts one fetch of the poem per call; cancelling its future stops that fetch. */
    public PoetryProxy(Supplier<CompletableFuture<byte[]>> upstream) {
        this(upstream, PoetryServer.DEFAULT_GRACE);
    }

    /** As {@link #PoetryProxy(Supplier)}, for a proxy whose clients are cut off {@code grace} after it stops. */
    public PoetryProxy(Supplier<CompletableFuture<byte[]>> upstream, Duration grace) {
        this.upstream = upstream;
        this.grace = grace;
    }

    /** How many upstream fetches were started. */
    public int fetches() {
        return fetches;
    }

    /** Whether the poem is cached. */
    public boolean hasPoem() {
        return cached != null;
    }

    @Override
    public Protocol buildProtocol(SocketAddress peer) {
        return new Protocol() {
            private Transport transport;

            @Override
            public void connectionMade(Transport client) {
                transport = client;
                connected.add(client);
                if (cached != null) {
                    LOG.log(Level.INFO, () -> "serving the cached poem (" + cached.length + " bytes) to "
                            + ClientNames.of(peer));
                    send(client, cached);
                } else {
                    waiting.add(client);
                    if (fetching == null) {
                        startFetch();
                    }
                }
            }

            @Override
            public void dataReceived(ByteBuffer data) {
                // Poetry clients only listen.
            }

            @Override
            public void connectionLost(DisconnectReason reason) {
                connected.remove(transport);
                if (waiting.remove(transport) && waiting.isEmpty() && fetching != null) {
                    LOG.log(Level.INFO, () -> "client " + ClientNames.of(peer)
                            + " left before the poem came; cancelling the upstream fetch");
                    CompletableFuture<byte[]> abandoned = fetching;
                    fetching = null;
                    abandoned.cancel(false);
                }
            }
        };
    }

    @Override
    public void stopFactory() {
        if (connected.isEmpty()) {
            return;
        }
        // Stopping the reactor stops listening (which calls this) before the reactor starts counting its own grace
        // period, so with the same grace this timer comes first, and the clients it cuts off see a reset.
        connected.iterator().next().scheduler().callLater(grace,
                () -> List.copyOf(connected).forEach(Transport::abortConnection));
    }

    private void startFetch() {
        fetches++;
        LOG.log(Level.INFO, "fetching the poem from upstream");
        CompletableFuture<byte[]> fetch = upstream.get();
        fetching = fetch;
        fetch.whenComplete((poem, failure) -> {
            if (fetching != fetch) {
                return; // cancelled because nobody waits for it any more
            }
            fetching = null;
            List<Transport> clients = List.copyOf(waiting);
            waiting.clear();
            if (failure != null || poem.length == 0) {
                String why = failure != null ? PoemFetch.describe(failure) : "upstream sent an empty poem";
                LOG.log(Level.WARNING, () -> "upstream fetch failed: " + why + "; resetting " + clients.size()
                        + " waiting client(s)");
                clients.forEach(Transport::abortConnection);
            } else {
                cached = poem;
                LOG.log(Level.INFO, () -> "cached the poem from upstream (" + poem.length + " bytes); sending it to "
                        + clients.size() + " client(s)");
                clients.forEach(client -> send(client, poem));
            }
        });
    }

    private static void send(Transport transport, byte[] poem) {
        PoemWriter.start(transport, poem);
    }
}
