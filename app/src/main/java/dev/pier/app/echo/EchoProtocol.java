package dev.pier.app.echo;

import dev.pier.reactor.Producer;
import dev.pier.reactor.Protocol;
import dev.pier.reactor.Transport;
import java.nio.ByteBuffer;

/**
 * Echo in the event-driven model: each connection writes back whatever arrives. While the peer is slow to read its
 * echo, this side stops reading from it, so a client that sends faster than it reads is slowed down instead of
 * filling the server's memory (the connection is its own producer, as in Twisted).
 */
public final class EchoProtocol implements Protocol {

    private Transport transport;

    @Override
    public void connectionMade(Transport transport) {
        this.transport = transport;
        transport.registerProducer(new Producer() {
            @Override
            public void pauseProducing() {
                transport.pauseReading();
            }

            @Override
            public void resumeProducing() {
                transport.resumeReading();
            }

            @Override
            public void stopProducing() {
            }
        }, true);
    }

    @Override
    public void dataReceived(ByteBuffer data) {
        transport.write(data);
    }
}
