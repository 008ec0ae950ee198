package dev.pier.app.poetry;

import dev.pier.protocols.NetstringReceiver;
import dev.pier.reactor.ClientFactory;
import dev.pier.reactor.DisconnectReason;
import dev.pier.reactor.Protocol;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * Asks a transform server to transform one poem: sends {@code TRANSFORM.POEM} as a netstring and completes
 * {@link #result} with the poem of the reply. Fails with {@link PoemFetch.FetchFailed} if the server cannot be
 * reached or closes without replying (it did not know the transform, or the poem was not text).
 *
 * <pre>{@code
 * TransformClient request = new TransformClient("cummingsify", poem);
 * reactor.connectTcp("127.0.0.1", 10001, request);
 * request.result().thenAccept(lowered -> ...);
 * }</pre>
 */
public final class TransformClient implements ClientFactory {

    private final String transform;
    private final byte[] poem;
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();

    public TransformClient(String transform, byte[] poem) {
        this.transform = transform;
        this.poem = poem;
    }

    /** The transformed poem. */
    public CompletableFuture<byte[]> result() {
        return result;
    }

    @Override
    public Protocol buildProtocol(SocketAddress peer) {
        return new NetstringReceiver() {
            @Override
            protected void connectionMade() {
                byte[] name = transform.getBytes(StandardCharsets.UTF_8);
                byte[] request = new byte[name.length + 1 + poem.length];
                System.arraycopy(name, 0, request, 0, name.length);
                request[name.length] = '.';
                System.arraycopy(poem, 0, request, name.length + 1, poem.length);
                sendString(request);
            }

            @Override
            protected void stringReceived(ByteBuffer data) {
                byte[] reply = new byte[data.remaining()];
                data.get(reply);
                result.complete(reply);
                transport().loseConnection();
            }

            @Override
            protected void malformedNetstring(String problem) {
                result.completeExceptionally(new PoemFetch.FetchFailed("malformed reply: " + problem, null));
            }

            @Override
            public void connectionLost(DisconnectReason reason) {
                result.completeExceptionally(new PoemFetch.FetchFailed(
                        "the transform server closed without a reply (unknown transform, or the poem is not text)",
                        null));
            }
        };
    }

    @Override
    public void connectionFailed(SocketAddress address, Throwable cause) {
        result.completeExceptionally(new PoemFetch.FetchFailed("cannot connect: " + PoemFetch.describe(cause), cause));
    }
}
