package dev.pier.protocols.policies;

import dev.pier.layer.Layer;
import dev.pier.reactor.DelayedCall;
import dev.pier.reactor.Scheduler;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;

/**
 * {@link Policies#throttleWrites}: written bytes wait in a queue and are passed on in slices as the rate allows.
 * They count as held bytes, so a producer above is paused while the queue holds anything; closes wait for the queue.
 */
final class WriteThrottle implements Layer {

    private final long bytesPerSecond;
    private final int sliceBytes;
    private final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>();
    private long queuedBytes;
    private Context context;
    private Scheduler scheduler;
    private long paidUntil;
    private DelayedCall release;
    private boolean closed;
    private boolean closeWhenDrained;
    private boolean shutdownWhenDrained;

    WriteThrottle(long bytesPerSecond) {
        this.bytesPerSecond = bytesPerSecond;
        this.sliceBytes = (int) Math.max(1, Math.min(Integer.MAX_VALUE, bytesPerSecond / 10));
    }

    @Override
    public void connectionMade(Context context) {
        this.context = context;
        this.scheduler = context.scheduler();
        this.paidUntil = scheduler.nanoTime();
        context.passConnectionMade();
    }

    @Override
    public void write(ByteBuffer data, Context context) {
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
    public void closeRequested(Context context) {
        if (queue.isEmpty()) {
            context.passClose();
        } else {
            closeWhenDrained = true;
        }
    }

    @Override
    public void shutdownOutputRequested(Context context) {
        if (queue.isEmpty()) {
            context.passShutdownOutput();
        } else {
            shutdownWhenDrained = true;
        }
    }

    @Override
    public long heldBytes() {
        return queuedBytes;
    }

    @Override
    public void connectionLost(Context context) {
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
        boolean released = false;
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
            context.passDown(slice);
            released = true;
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
                context.passShutdownOutput();
            }
            if (closeWhenDrained) {
                closeWhenDrained = false;
                context.passClose();
            }
        }
        if (released) {
            context.heldBytesChanged();
        }
    }

    @Override
    public String toString() {
        return "write throttle " + bytesPerSecond + " B/s";
    }
}
