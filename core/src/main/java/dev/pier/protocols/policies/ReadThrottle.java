package dev.pier.protocols.policies;

import dev.pier.reactor.DelayedCall;
import dev.pier.reactor.Scheduler;
import dev.pier.reactor.Transport;
import java.time.Duration;

/**
 * {@link Policies#throttleReads}: keeps the time at which the bytes read so far are paid for at the allowed rate;
 * when that is more than a tenth of a second ahead, reading pauses until then. The protocol's own pause and resume
 * calls are honoured: reading resumes only when neither wants it paused.
 */
final class ReadThrottle extends ConnectionPolicy {

    private static final long SLACK_NANOS = 100_000_000L;

    private final long bytesPerSecond;
    private Transport transport;
    private Scheduler scheduler;
    private long paidUntil;
    private boolean throttled;
    private boolean pausedByProtocol;
    private DelayedCall resume;

    ReadThrottle(long bytesPerSecond) {
        this.bytesPerSecond = bytesPerSecond;
    }

    @Override
    Transport connectionMade(Transport transport) {
        this.transport = transport;
        this.scheduler = transport.scheduler();
        this.paidUntil = scheduler.nanoTime();
        return new ForwardingTransport(transport) {
            @Override
            public void pauseReading() {
                pausedByProtocol = true;
                delegate.pauseReading();
            }

            @Override
            public void resumeReading() {
                pausedByProtocol = false;
                if (!throttled) {
                    delegate.resumeReading();
                }
            }
        };
    }

    @Override
    void dataReceived(int bytes) {
        if (transport == null) {
            return;
        }
        long now = scheduler.nanoTime();
        paidUntil = Math.max(paidUntil, now) + bytes * 1_000_000_000L / bytesPerSecond;
        if (!throttled && paidUntil - now > SLACK_NANOS) {
            throttled = true;
            transport.pauseReading();
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
        throttled = false;
        if (!pausedByProtocol) {
            transport.resumeReading();
        }
    }

    @Override
    void connectionLost() {
        if (resume != null) {
            resume.cancel();
            resume = null;
        }
    }
}
