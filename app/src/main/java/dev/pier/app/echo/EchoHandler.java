package dev.pier.app.echo;

import dev.pier.blocking.StreamRequestHandler;
import java.io.IOException;

/** Echo in the blocking model: one handler per connection copies what the client sends back until it closes. */
public final class EchoHandler extends StreamRequestHandler {

    @Override
    protected void handle() throws IOException {
        in().transferTo(out());
    }
}
