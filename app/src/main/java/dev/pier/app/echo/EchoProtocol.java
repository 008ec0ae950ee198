package dev.pier.app.echo;

import dev.pier.reactor.Protocol;
import dev.pier.reactor.Transport;
import java.nio.ByteBuffer;

/** Echo in the event-driven model: each connection writes back whatever arrives. */
public final class EchoProtocol implements Protocol {

    private Transport transport;

    @Override
    public void connectionMade(Transport transport) {
        this.transport = transport;
    }

    @Override
    public void dataReceived(ByteBuffer data) {
        transport.write(data);
    }
}
