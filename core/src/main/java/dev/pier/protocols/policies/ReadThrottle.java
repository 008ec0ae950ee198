package dev.pier.protocols.policies;

import dev.pier.layer.Layer;
import dev.pier.reactor.DelayedCall;
import dev.pier.reactor.Scheduler;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * {@link Policies#throttleReads}: keeps the time at which the bytes read so far are paid for at the allowed rate;
 * when that is more than a tenth of a second ahead, reading pauses until then. A pause by the protocol is its own:
 * reading resumes only when neither wants it paused.
 */
final class ReadThrottle implements Layer {

    private static final long SLACK_NANOS = 100_000_000L;

    private final long bytesPerSecond;
    private Context context;
    private Scheduler scheduler;
    private long paidUntil;
    private DelayedCall resume;

    ReadThrottle(long bytesPerSecond) {
        this.bytesPerSecond = bytesPerSecond;
    }

    @Override
    public void connectionMade(Context context) {
        this.context = context;
        this.scheduler = context.scheduler();
        this.paidUntil = scheduler.nanoTime();
        context.passConnectionMade();
    }

    @Override
    public void dataReceived(ByteBuffer data, Context context) {
        int bytes = data.remaining();
        context.passUp(data);
        long now = scheduler.nanoTime();
        paidUntil = Math.max(paidUntil, now) + bytes * 1_000_000_000L / bytesPerSecond;
        if (resume == null && paidUntil - now > SLACK_NANOS) {
            context.pauseReading();
            resume = scheduler.callLater(Duration.ofNanos(paidUntil - now), this::unthrottle);
        }
    }

    private void unthrottle() {
        long now = scheduler.nanoTime();
        if (paidUntil > now) {
            resume = scheduler.callLater(Duration.ofNanos(paidUntil - now), this::unthrottle);
            return;
        }
        resume = null;
        context.resumeReading();
    }

    @Override
    public void connectionLost(Context context) {
        if (resume != null) {
            resume.cancel();
            resume = null;
        }
    }

    @Override
    public String toString() {
        return "read throttle " + bytesPerSecond + " B/s";
    }
}
