package dev.pier.protocols.policies;

import dev.pier.reactor.Transport;
import java.nio.ByteBuffer;
import java.time.Duration;

/** {@link Policies#idleTimeout}: reads and writes are activity; silence for the timeout aborts the connection. */
final class IdleTimeoutPolicy extends ConnectionPolicy {

    private final Duration timeout;
    private IdleTimeout idle;

    IdleTimeoutPolicy(Duration timeout) {
        this.timeout = timeout;
    }

    @Override
    Transport connectionMade(Transport transport) {
        idle = IdleTimeout.start(transport.scheduler(), timeout, transport::abortConnection);
        return new ForwardingTransport(transport) {
            @Override
            public void write(ByteBuffer data) {
                idle.touch();
                delegate.write(data);
            }
        };
    }

    @Override
    void dataReceived(int bytes) {
        if (idle != null) {
            idle.touch();
        }
    }

    @Override
    void connectionLost() {
        if (idle != null) {
            idle.cancel();
        }
    }
}
