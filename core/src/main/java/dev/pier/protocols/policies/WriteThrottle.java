package dev.pier.protocols.policies;

import dev.pier.reactor.DelayedCall;
import dev.pier.reactor.Producer;
import dev.pier.reactor.Scheduler;
import dev.pier.reactor.Transport;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;

/**
 * {@link Policies#throttleWrites}: written bytes wait in a queue and are passed on in slices as the rate allows.
 * The protocol's producer is paused while the queue holds anything (or the real transport paused it), and a pull
 * producer is asked for more only when both are empty; closes wait for the queue.
 */
final class WriteThrottle extends ConnectionPolicy {

    private final long bytesPerSecond;
    private final int sliceBytes;
    private final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>();
    private long queuedBytes;
    private Transport transport;
    private Scheduler scheduler;
    private long paidUntil;
    private DelayedCall release;
    private boolean closed;
    private boolean loseWhenDrained;
    private boolean shutdownWhenDrained;
    private Producer producer;
    private boolean streaming;
    private boolean producerPaused;
    private boolean pausedByTransport;
    private boolean pullRequested;

    WriteThrottle(long bytesPerSecond) {
        this.bytesPerSecond = bytesPerSecond;
        this.sliceBytes = (int) Math.max(1, Math.min(Integer.MAX_VALUE, bytesPerSecond / 10));
    }

    @Override
    Transport connectionMade(Transport transport) {
        this.transport = transport;
        this.scheduler = transport.scheduler();
        this.paidUntil = scheduler.nanoTime();
        return new ThrottledTransport(transport);
    }

    @Override
    void connectionLost() {
        closed = true;
        queue.clear();
        queuedBytes = 0;
        if (release != null) {
            release.cancel();
            release = null;
        }
    }

    private void releaseDue() {
        if (closed) {
            return;
        }
        long now = scheduler.nanoTime();
        while (!queue.isEmpty() && paidUntil <= now) {
            ByteBuffer head = queue.peek();
            int length = Math.min(head.remaining(), sliceBytes);
            ByteBuffer slice = head.slice(head.position(), length);
            head.position(head.position() + length);
            if (!head.hasRemaining()) {
                queue.poll();
            }
            queuedBytes -= length;
            paidUntil = Math.max(paidUntil, now) + length * 1_000_000_000L / bytesPerSecond;
            transport.write(slice);
        }
        if (!queue.isEmpty()) {
            if (release == null) {
                release = scheduler.callLater(Duration.ofNanos(paidUntil - now), () -> {
                    release = null;
                    releaseDue();
                });
            }
        } else {
            if (shutdownWhenDrained) {
                shutdownWhenDrained = false;
                transport.shutdownOutput();
            }
            if (loseWhenDrained) {
                loseWhenDrained = false;
                transport.loseConnection();
            }
        }
        updateProducer();
    }

    private void updateProducer() {
        if (producer == null) {
            return;
        }
        if (!streaming) {
            if (pullRequested && queue.isEmpty()) {
                pullRequested = false;
                producer.resumeProducing();
            }
            return;
        }
        boolean shouldPause = pausedByTransport || !queue.isEmpty();
        if (shouldPause != producerPaused) {
            producerPaused = shouldPause;
            if (shouldPause) {
                producer.pauseProducing();
            } else {
                producer.resumeProducing();
            }
        }
    }

    /** Stands between the real transport and the protocol's producer. */
    private final class ProducerGate implements Producer {
        @Override
        public void pauseProducing() {
            pausedByTransport = true;
            updateProducer();
        }

        @Override
        public void resumeProducing() {
            if (streaming) {
                pausedByTransport = false;
            } else {
                pullRequested = true;
            }
            updateProducer();
        }

        @Override
        public void stopProducing() {
            if (producer != null) {
                producer.stopProducing();
            }
        }
    }

    private final class ThrottledTransport extends ForwardingTransport {
        ThrottledTransport(Transport delegate) {
            super(delegate);
        }

        @Override
        public void write(ByteBuffer data) {
            if (closed || loseWhenDrained || shutdownWhenDrained) {
                data.position(data.limit());
                return;
            }
            if (!data.hasRemaining()) {
                return;
            }
            ByteBuffer copy = ByteBuffer.allocate(data.remaining());
            copy.put(data).flip();
            queue.add(copy);
            queuedBytes += copy.remaining();
            releaseDue();
        }

        @Override
        public void loseConnection() {
            if (queue.isEmpty()) {
                delegate.loseConnection();
            } else {
                loseWhenDrained = true;
            }
        }

        @Override
        public void shutdownOutput() {
            if (queue.isEmpty()) {
                delegate.shutdownOutput();
            } else {
                shutdownWhenDrained = true;
            }
        }

        @Override
        public void abortConnection() {
            connectionLost();
            delegate.abortConnection();
        }

        @Override
        public void registerProducer(Producer newProducer, boolean isStreaming) {
            if (producer != null) {
                throw new IllegalStateException("a producer is already registered: unregister it first");
            }
            producer = newProducer;
            streaming = isStreaming;
            producerPaused = false;
            pausedByTransport = false;
            pullRequested = false;
            delegate.registerProducer(new ProducerGate(), isStreaming);
            updateProducer();
        }

        @Override
        public void unregisterProducer() {
            producer = null;
            delegate.unregisterProducer();
        }

        @Override
        public long bufferedBytes() {
            return delegate.bufferedBytes() + queuedBytes;
        }
    }
}
