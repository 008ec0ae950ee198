package dev.pier.protocols.policies;

import dev.pier.reactor.DisconnectReason;
import dev.pier.reactor.HalfCloseableProtocol;
import dev.pier.reactor.Protocol;
import dev.pier.reactor.Transport;
import java.nio.ByteBuffer;

/**
 * Runs a {@link ConnectionPolicy} around a protocol. A wrapped {@link HalfCloseableProtocol} stays half-closeable,
 * since the reactor decides by type how to treat the peer's end-of-stream.
 */
class PolicyProtocol implements Protocol {

    private final Protocol wrapped;
    private final ConnectionPolicy policy;
    private boolean lost;

    private PolicyProtocol(Protocol wrapped, ConnectionPolicy policy) {
        this.wrapped = wrapped;
        this.policy = policy;
    }

    static Protocol wrap(Protocol wrapped, ConnectionPolicy policy) {
        return wrapped instanceof HalfCloseableProtocol
                ? new HalfCloseable(wrapped, policy)
                : new PolicyProtocol(wrapped, policy);
    }

    @Override
    public void connectionMade(Transport transport) {
        wrapped.connectionMade(policy.connectionMade(transport));
    }

    @Override
    public void dataReceived(ByteBuffer data) {
        int bytes = data.remaining();
        wrapped.dataReceived(data);
        policy.dataReceived(bytes);
    }

    @Override
    public void connectionLost(DisconnectReason reason) {
        if (lost) {
            return;
        }
        lost = true;
        try {
            policy.connectionLost();
        } finally {
            wrapped.connectionLost(reason);
        }
    }

    @Override
    public String toString() {
        return wrapped.toString();
    }

    private static final class HalfCloseable extends PolicyProtocol implements HalfCloseableProtocol {
        private final HalfCloseableProtocol halfCloseable;

        HalfCloseable(Protocol wrapped, ConnectionPolicy policy) {
            super(wrapped, policy);
            this.halfCloseable = (HalfCloseableProtocol) wrapped;
        }

        @Override
        public void readConnectionLost() {
            halfCloseable.readConnectionLost();
        }

        @Override
        public void writeConnectionLost() {
            halfCloseable.writeConnectionLost();
        }
    }
}
