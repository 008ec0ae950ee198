package dev.pier.app.poetry;

import dev.pier.app.cli.Messages;
import dev.pier.reactor.ClientFactory;
import dev.pier.reactor.DelayedCall;
import dev.pier.reactor.DisconnectReason;
import dev.pier.reactor.Protocol;
import dev.pier.reactor.Scheduler;
import dev.pier.reactor.Transport;

import java.io.ByteArrayOutputStream;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

/**
 * The poetry client of the event-driven model: connects to one poetry server and reads its poem to the end of the
 * stream; the {@link #poem} future completes with the bytes. Only an orderly end of stream completes it: a reset
 * means the server cut the poem short. The server decides how much it sends, so a poem over the size limit is a
 * failure too, before it costs more memory than that. Cancelling the future (or a {@link #timeout}) gives up on the
 * server: the connection, or the attempt to make it, is dropped.
 *
 * <p>Everything here runs on the loop thread, and the future must be cancelled from there too.
 *
 * <pre>{@code
 * PoemFetch fetch = new PoemFetch(PoemFetch.Progress.NONE, PoemFetch.DEFAULT_MAX_SIZE);
 * CompletableFuture<Protocol> connecting = reactor.connectTcp("127.0.0.1", 10000, fetch);
 * fetch.onAbandon(() -> connecting.cancel(false));
 * fetch.timeout(Duration.ofSeconds(5), reactor);
 * fetch.poem().thenAccept(bytes -> ...);
 * }</pre>
 */
public final class PoemFetch implements ClientFactory {

    /** The size limit of {@code pier poetry get} and {@code proxy} unless told otherwise: 64 MiB. */
    public static final int DEFAULT_MAX_SIZE = 64 << 20;

    /** Told of every piece of the poem as it arrives. */
    @FunctionalInterface
    public interface Progress {
        void received(int bytes, long total);

        Progress NONE = (bytes, total) -> {};
    }

    /** Why a fetch failed, in a message ready for the user. */
    public static final class FetchFailed extends Exception {
        public FetchFailed(String message, Throwable cause) {
            super(message, cause, false, false);
        }
    }

    private final Progress progress;
    private final int maxSize;
    private final CompletableFuture<byte[]> poem = new CompletableFuture<>();
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private Transport transport;
    private Runnable abandonAttempt = () -> {};
    private DelayedCall timer;

    /** A fetch that fails once the poem passes {@code maxSize} bytes. */
    public PoemFetch(Progress progress, int maxSize) {
        if (maxSize < 0) {
            throw new IllegalArgumentException("the size limit must not be negative, got " + maxSize);
        }
        this.progress = progress;
        this.maxSize = maxSize;
        poem.whenComplete((bytes, failure) -> {
            if (timer != null) {
                timer.cancel();
            }
            if (failure != null) {
                abandon();
            }
        });
    }

    /** The poem, once the server closed the connection; fails with {@link FetchFailed} or when cancelled. */
    public CompletableFuture<byte[]> poem() {
        return poem;
    }

    /** How to stop the connection attempt if the fetch is given up before it connected. */
    public void onAbandon(Runnable stopConnecting) {
        this.abandonAttempt = stopConnecting;
    }

    /** Gives up, failing with a {@link TimeoutException} as cause, if the poem is not all in after {@code limit}. */
    public void timeout(Duration limit, Scheduler scheduler) {
        timer = scheduler.callLater(limit, () -> poem.completeExceptionally(new FetchFailed(
                "timed out after " + Durations.text(limit) + " s with " + received.size() + " bytes",
                new TimeoutException())));
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
        return new Protocol() {
            @Override
            public void connectionMade(Transport connected) {
                transport = connected;
                if (poem.isDone()) {
                    connected.abortConnection();
                }
            }

            @Override
            public void dataReceived(ByteBuffer data) {
                int bytes = data.remaining();
                if (poem.isDone()) {
                    return; // given up on, and aborted
                }
                if (bytes > maxSize - received.size()) {
                    poem.completeExceptionally(new FetchFailed("the poem is larger than " + Sizes.describe(maxSize)
                            + ": raise --max-size to accept it", null));
                    return;
                }
                byte[] chunk = new byte[bytes];
                data.get(chunk);
                received.writeBytes(chunk);
                progress.received(bytes, received.size());
            }

            @Override
            public void connectionLost(DisconnectReason reason) {
                switch (reason) {
                    case DisconnectReason.Done done -> poem.complete(received.toByteArray());
                    case DisconnectReason.Lost(Throwable cause) -> poem.completeExceptionally(new FetchFailed(
                            "connection lost after " + received.size() + " bytes: " + describe(cause), cause));
                }
            }
        };
    }

    @Override
    public void connectionFailed(SocketAddress address, Throwable cause) {
        poem.completeExceptionally(new FetchFailed("cannot connect: " + describe(cause), cause));
    }

    /** A failure's message for the user: the message of a {@link FetchFailed}, the plain reason of others. */
    public static String describe(Throwable failure) {
        Throwable cause = unwrap(failure);
        if (cause instanceof CancellationException) {
            return "cancelled";
        }
        if (cause instanceof FetchFailed) {
            return cause.getMessage();
        }
        return Messages.reason(cause);
    }

    /** Whether {@code failure} is a fetch (or a transform) given up because its time was over. */
    public static boolean isTimeout(Throwable failure) {
        return unwrap(failure) instanceof FetchFailed failed && failed.getCause() instanceof TimeoutException;
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
