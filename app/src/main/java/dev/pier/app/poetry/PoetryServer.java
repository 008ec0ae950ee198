package dev.pier.app.poetry;

import dev.pier.reactor.DelayedCall;
import dev.pier.reactor.DisconnectReason;
import dev.pier.reactor.Protocol;
import dev.pier.reactor.ProtocolFactory;
import dev.pier.reactor.Transport;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * The poetry server of the event-driven model: every client that connects is sent the poem, then the connection
 * is closed; what the client sends is ignored. At {@link Pace.Fast} the poem is written as fast as the client
 * reads it; at {@link Pace.Slow} a few bytes go out on each tick of a timer of the loop (no thread per client), and
 * the timer stops the moment the client goes away.
 *
 * <p>A graceful stop needs nothing from the server: {@code reactor.stop(grace)} stops accepting and lets the
 * poems in flight finish, fast or slow, as their connections close themselves once the poem is sent.
 *
 * <pre>{@code
 * reactor.listenTcp(10000, new PoetryServer(Poem.bundled("ecstasy.txt"), Pace.FAST));
 * }</pre>
 */
public final class PoetryServer implements ProtocolFactory {

    private static final Logger LOG = System.getLogger(PoetryServer.class.getName());

    private final Poem poem;
    private final Pace pace;
    private int clientsInFlight;

    public PoetryServer(Poem poem, Pace pace) {
        this.poem = poem;
        this.pace = pace;
    }

    @Override
    public Protocol buildProtocol(SocketAddress peer) {
        return new PoemSender();
    }

    /** Clients being sent the poem now. Loop thread only, like everything here. */
    public int clientsInFlight() {
        return clientsInFlight;
    }

    /** One client's connection: sends the poem at the server's pace, then closes. */
    private final class PoemSender implements Protocol {
        private Transport transport;
        private SocketAddress peer;
        private long startNanos;
        private PoemWriter fastWriter;
        private int written;
        private DelayedCall nextChunk;

        @Override
        public void connectionMade(Transport transport) {
            this.transport = transport;
            this.peer = transport.remoteAddress();
            this.startNanos = transport.scheduler().nanoTime();
            clientsInFlight++;
            switch (pace) {
                case Pace.Fast fast -> fastWriter = PoemWriter.start(transport, poem.text());
                case Pace.Slow slow -> sendChunk(slow);
            }
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            // The poetry protocol has the client listen only: whatever it says is ignored.
        }

        private void sendChunk(Pace.Slow slow) {
            int length = Math.min(slow.chunkBytes(), poem.size() - written);
            transport.write(ByteBuffer.wrap(poem.text(), written, length));
            written += length;
            if (written == poem.size()) {
                nextChunk = null;
                transport.loseConnection();
            } else {
                nextChunk = transport.scheduler().callLater(slow.delay(), () -> sendChunk(slow));
            }
        }

        @Override
        public void connectionLost(DisconnectReason reason) {
            if (nextChunk != null) {
                nextChunk.cancel();
                nextChunk = null;
            }
            if (fastWriter != null) {
                written = fastWriter.written();
            }
            long millis = (transport.scheduler().nanoTime() - startNanos) / 1_000_000;
            long delivered = Math.max(0, written - transport.bufferedBytes());
            if (written == poem.size() && reason.isClean()) {
                LOG.log(Level.INFO, () -> "served " + poem.size() + " bytes to " + peer + " in " + millis + " ms ("
                        + poem.name() + ")");
            } else {
                String why = reason instanceof DisconnectReason.Lost(Throwable cause) ? ": " + cause.getMessage() : "";
                LOG.log(Level.INFO, () -> "client " + peer + " left early after " + delivered + " of " + poem.size()
                        + " bytes in " + millis + " ms (" + poem.name() + ")" + why);
            }
            clientsInFlight--;
        }
    }
}
