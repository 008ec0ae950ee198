package dev.pier.app.poetry;

import dev.pier.app.cli.ClientNames;
import dev.pier.protocols.NetstringReceiver;
import dev.pier.reactor.Protocol;
import dev.pier.reactor.ProtocolFactory;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * The transform server of the tutorial: a request is one netstring {@code TRANSFORM.POEM}, e.g.
 * {@code 27:cummingsify.HERE IS MY POEM,}; the reply is one netstring with the transformed poem
 * ({@code 15:here is my poem,}), then the connection closes. A request that cannot be served (an unknown transform,
 * no {@code .}, a poem that is not UTF-8, or input that is not a netstring) is answered by closing the connection
 * without a reply. Several requests that arrive together are all answered before the close.
 *
 * <pre>{@code
 * reactor.listenTcp(10001, new TransformServer());
 * }</pre>
 */
public final class TransformServer implements ProtocolFactory {

    private static final Logger LOG = System.getLogger(TransformServer.class.getName());

    @Override
    public Protocol buildProtocol(SocketAddress peer) {
        return new TransformRequest();
    }

    /** Splits a request into its transform and its poem and applies one to the other; empty if it cannot be served. */
    static Optional<String> serve(ByteBuffer request, SocketAddress peer) {
        String client = ClientNames.of(peer);
        byte[] bytes = new byte[request.remaining()];
        request.get(bytes);
        int dot = indexOf(bytes, (byte) '.');
        if (dot < 0) {
            LOG.log(Level.INFO, () -> "refused a request from " + client + ": no '.' between transform and poem");
            return Optional.empty();
        }
        String name = new String(bytes, 0, dot, StandardCharsets.ISO_8859_1);
        Optional<Transform> transform = Transform.named(name);
        if (transform.isEmpty()) {
            LOG.log(Level.INFO, () -> "refused a request from " + client + ": unknown transform '" + name + "'");
            return Optional.empty();
        }
        String poem;
        try {
            poem = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, dot + 1, bytes.length - dot - 1))
                    .toString();
        } catch (CharacterCodingException e) {
            LOG.log(Level.INFO, () -> "refused a request from " + client + ": the poem is not UTF-8 text");
            return Optional.empty();
        }
        String result = transform.get().apply(poem);
        LOG.log(Level.INFO, () -> "applied " + name + " to " + (bytes.length - dot - 1) + " bytes for " + client);
        return Optional.of(result);
    }

    private static int indexOf(byte[] bytes, byte wanted) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == wanted) {
                return i;
            }
        }
        return -1;
    }

    /** One connection: answers each request, and closes once the requests that arrived together are answered. */
    private static final class TransformRequest extends NetstringReceiver {
        private boolean closing;

        @Override
        protected void stringReceived(ByteBuffer data) {
            Optional<String> reply = serve(data, transport().remoteAddress());
            if (reply.isEmpty()) {
                transport().loseConnection();
                return;
            }
            sendString(reply.get().getBytes(StandardCharsets.UTF_8));
            if (!closing) {
                // Closing now would drop the other requests of this packet: close once they were read.
                closing = true;
                transport().scheduler().callLater(Duration.ZERO, transport()::loseConnection);
            }
        }

        @Override
        protected void malformedNetstring(String problem) {
            String client = ClientNames.of(transport().remoteAddress());
            LOG.log(Level.INFO, () -> "refused a request from " + client + ": " + problem);
        }
    }
}
