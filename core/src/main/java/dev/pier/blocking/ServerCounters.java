package dev.pier.blocking;

import dev.pier.metrics.ServerStatistics;
import java.util.concurrent.atomic.LongAdder;

/**
 * What a server counts, from the serving thread and from every request's thread at once: adders, which threads
 * update without contending for one memory word. A read or write of a connection adds once, next to a system call.
 */
final class ServerCounters {

    /** The exception the layers of the request on this thread refused it with, until the template has seen it. */
    private static final ThreadLocal<Exception> LAYERS_REFUSED = new ThreadLocal<>();

    private final LongAdder accepted = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final LongAdder received = new LongAdder();
    private final LongAdder sent = new LongAdder();
    private final LongAdder errors = new LongAdder();

    void accepted() {
        accepted.increment();
    }

    void refused() {
        refused.increment();
    }

    void received(long bytes) {
        received.add(bytes);
    }

    void sent(long bytes) {
        sent.add(bytes);
    }

    /**
     * The connection's layers did not pass it on (a failed TLS handshake, a bad PROXY header, a peer gone meanwhile),
     * for {@code refusal}, which the handler throws: a refusal, which {@link #failed} does not count again as an error.
     */
    void refusedByLayers(Exception refusal) {
        refused.increment();
        LAYERS_REFUSED.set(refusal);
    }

    /** {@code error} goes to {@code handleError}: an error, unless it is the refusal of this request's layers. */
    void failed(Exception error) {
        if (LAYERS_REFUSED.get() == error) {
            LAYERS_REFUSED.remove();
        } else {
            errors.increment();
        }
    }

    /** A request failed where the template could not see it (in a forked child). */
    void failed() {
        errors.increment();
    }

    ServerStatistics snapshot() {
        return new ServerStatistics(accepted.sum(), refused.sum(), received.sum(), sent.sum(), errors.sum());
    }
}
