package dev.pier.protocols.policies;

import dev.pier.layer.Layer;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;

/** {@link Policies#idleTimeout}: reads and writes are activity; silence for the timeout aborts the connection. */
final class IdleTimeoutLayer implements Layer {

    private final Duration timeout;
    private IdleTimeout idle;

    IdleTimeoutLayer(Duration timeout) {
        this.timeout = timeout;
    }

    @Override
    public void connectionMade(Context context) {
        idle = IdleTimeout.start(context.scheduler(), timeout,
                () -> context.abort(new SocketTimeoutException("nothing received or sent for " + timeout)));
        context.passConnectionMade();
    }

    @Override
    public void dataReceived(ByteBuffer data, Context context) {
        idle.touch();
        context.passUp(data);
    }

    @Override
    public void write(ByteBuffer data, Context context) {
        idle.touch();
        context.passDown(data);
    }

    @Override
    public void connectionLost(Context context) {
        if (idle != null) {
            idle.cancel();
        }
    }

    @Override
    public String toString() {
        return "idle timeout " + timeout;
    }
}
