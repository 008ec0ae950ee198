package dev.pier.app.poetry;

import dev.pier.app.cli.ClientNames;
import dev.pier.app.cli.Messages;
import dev.pier.reactor.DelayedCall;
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

/**
 * The poetry server of the event-driven model: every client that connects is sent the poem, then the connection
 * is closed; what the client sends is ignored. At {@link Pace.Fast} the poem is written as fast as the client
 * reads it; at {@link Pace.Slow} a chunk goes out on each tick of a timer of the loop (no thread per client), and
 * the timer stops the moment the client goes away. Either way the bytes are handed over at the client's pace, so
 * however large a chunk, no write comes near the transport's limit of unsent bytes.
 *
 * <p>A graceful stop: {@code reactor.stop(grace)} stops accepting and lets the poems in flight finish, fast or slow,
 * as their connections close themselves once the poem is sent. Once the server stops listening, a poem still in
 * flight after the server's grace period is cut short with a reset, which no client can take for a whole poem (the
 * reactor's own close of what is left would be an orderly one).
 *
 * <pre>{@code
 * reactor.listenTcp(10000, new PoetryServer(Poem.bundled("ecstasy.txt"), Pace.FAST));
 * reactor.stop(PoetryServer.DEFAULT_GRACE);
 * }</pre>
 */
public final class PoetryServer implements ProtocolFactory {

    /** How long poems in flight may go on once the server stops listening, unless told otherwise. */
    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(10);

    private static final Logger LOG = System.getLogger(PoetryServer.class.getName());

    private final Poem poem;
    private final Pace pace;
    private final Duration grace;
    private final Set<PoemSender> inFlight = new LinkedHashSet<>();

    public PoetryServer(Poem poem, Pace pace) {
        this(poem, pace, DEFAULT_GRACE);
    }

    /** A server whose poems in flight are cut short {@code grace} after it stopped listening. */
    public PoetryServer(Poem poem, Pace pace, Duration grace) {
        this.poem = poem;
        this.pace = pace;
        this.grace = grace;
    }

    @Override
    public Protocol buildProtocol(SocketAddress peer) {
        return new PoemSender();
    }

    /** Clients being sent the poem now. Loop thread only, like everything here. */
    public int clientsInFlight() {
        return inFlight.size();
    }

    @Override
    public void stopFactory() {
        if (inFlight.isEmpty()) {
            return;
        }
        // Stopping the reactor stops listening (which calls this) before the reactor starts counting its own grace
        // period, so with the same grace this timer comes first, and the poems it cuts end with a reset.
        inFlight.iterator().next().transport.scheduler().callLater(grace,
                () -> List.copyOf(inFlight).forEach(PoemSender::cutShort));
    }

    /** One client's connection: sends the poem at the server's pace, then closes. */
    private final class PoemSender implements Protocol {
        private Transport transport;
        private String peer;
        private long startNanos;
        private PoemWriter writer;
        private DelayedCall nextChunk;
        private boolean cutShort;

        @Override
        public void connectionMade(Transport transport) {
            this.transport = transport;
            this.peer = ClientNames.of(transport.remoteAddress());
            this.startNanos = transport.scheduler().nanoTime();
            inFlight.add(this);
            switch (pace) {
                case Pace.Fast fast -> writer = PoemWriter.start(transport, poem.text());
                case Pace.Slow slow -> sendChunk(slow, 0);
            }
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            // The poetry protocol has the client listen only: whatever it says is ignored.
        }

        private void sendChunk(Pace.Slow slow, int from) {
            nextChunk = null;
            int end = from + Math.min(slow.chunkBytes(), poem.size() - from);
            writer = PoemWriter.start(transport, poem.text(), from, end, () -> {
                if (end == poem.size()) {
                    transport.loseConnection();
                } else {
                    nextChunk = transport.scheduler().callLater(slow.delay(), () -> sendChunk(slow, end));
                }
            });
        }

        void cutShort() {
            cutShort = true;
            transport.abortConnection();
        }

        @Override
        public void connectionLost(DisconnectReason reason) {
            inFlight.remove(this);
            if (nextChunk != null) {
                nextChunk.cancel();
                nextChunk = null;
            }
            int written = writer == null ? 0 : writer.written();
            long millis = (transport.scheduler().nanoTime() - startNanos) / 1_000_000;
            long delivered = Math.max(0, written - transport.bufferedBytes());
            if (cutShort) {
                LOG.log(Level.INFO, () -> "stopped sending to " + peer + " after " + delivered + " of " + poem.size()
                        + " bytes in " + millis + " ms (" + poem.name() + "): the grace period of the stop is over");
            } else if (written == poem.size() && reason.isClean()) {
                LOG.log(Level.INFO, () -> "served " + poem.size() + " bytes to " + peer + " in " + millis + " ms ("
                        + poem.name() + ")");
            } else {
                String why = reason instanceof DisconnectReason.Lost(Throwable cause)
                        ? ": " + Messages.reason(cause) : "";
                LOG.log(Level.INFO, () -> "client " + peer + " left early after " + delivered + " of " + poem.size()
                        + " bytes in " + millis + " ms (" + poem.name() + ")" + why);
            }
        }
    }
}
