package dev.pier.app.poetry;

import dev.pier.protocols.NetstringReceiver;
import dev.pier.reactor.ClientFactory;
import dev.pier.reactor.DelayedCall;
import dev.pier.reactor.DisconnectReason;
import dev.pier.reactor.Protocol;
import dev.pier.reactor.Scheduler;
import dev.pier.reactor.Transport;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

/**
 * Asks a transform server to transform one poem: sends {@code TRANSFORM.POEM} as a netstring and completes
 * {@link #result} with the poem of the reply. Fails with {@link PoemFetch.FetchFailed} if the server cannot be
 * reached or closes without replying (it did not know the transform, or the poem was not text), or, after a
 * {@link #timeout}, if it has not replied in time; a request given up on drops its connection or connection attempt.
 *
 * <pre>{@code
 * TransformClient request = new TransformClient("cummingsify", poem);
 * CompletableFuture<Protocol> connecting = reactor.connectTcp("127.0.0.1", 10001, request);
 * request.onAbandon(() -> connecting.cancel(false));
 * request.timeout(Duration.ofSeconds(5), reactor);
 * request.result().thenAccept(lowered -> ...);
 * }</pre>
 */
public final class TransformClient implements ClientFactory {

    private final String transform;
    private final byte[] poem;
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private Transport transport;
    private Runnable abandonAttempt = () -> {};
    private DelayedCall timer;

    public TransformClient(String transform, byte[] poem) {
        this.transform = transform;
        this.poem = poem;
        result.whenComplete((reply, failure) -> {
            if (timer != null) {
                timer.cancel();
            }
            if (failure != null) {
                abandon();
            }
        });
    }

    /** The transformed poem. */
    public CompletableFuture<byte[]> result() {
        return result;
    }

    /** How to stop the connection attempt if the request is given up before it connected. */
    public void onAbandon(Runnable stopConnecting) {
        this.abandonAttempt = stopConnecting;
    }

    /** Gives up, failing with a {@link TimeoutException} as cause, if there is no reply after {@code limit}. */
    public void timeout(Duration limit, Scheduler scheduler) {
        timer = scheduler.callLater(limit, () -> result.completeExceptionally(new PoemFetch.FetchFailed(
                "no reply from the transform server in time", new TimeoutException())));
    }

    private void abandon() {
        if (transport != null) {
            transport.abortConnection();
        } else {
            abandonAttempt.run();
        }
    }

    @Override
    public Protocol buildProtocol(SocketAddress peer) {
        return new NetstringReceiver() {
            @Override
            protected void connectionMade() {
                transport = transport();
                if (result.isDone()) {
                    transport.abortConnection();
                    return;
                }
                byte[] name = transform.getBytes(StandardCharsets.UTF_8);
                if (name.length + 1 + poem.length > DEFAULT_MAX_LENGTH) {
                    // Transform servers, the tutorial's too, refuse longer netstrings: no use sending it.
                    result.completeExceptionally(new PoemFetch.FetchFailed("the poem is too long to transform (over "
                            + DEFAULT_MAX_LENGTH + " bytes with the transform's name)", null));
                    return;
                }
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
