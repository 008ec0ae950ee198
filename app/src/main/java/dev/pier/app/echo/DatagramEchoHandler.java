package dev.pier.app.echo;

import dev.pier.blocking.DatagramRequestHandler;
import java.io.IOException;

/** Echo in the blocking model for datagrams: the reply to each datagram is the datagram itself. */
public final class DatagramEchoHandler extends DatagramRequestHandler {

    @Override
    protected void handle() throws IOException {
        in().transferTo(out());
    }
}
