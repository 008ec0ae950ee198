package dev.pier.blocking;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.NetworkChannel;

/** Socket option helpers shared by the server types. */
final class Sockets {

    private Sockets() {
    }

    static void enableReusePort(NetworkChannel channel) throws IOException {
        if (!channel.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT)) {
            throw new UnsupportedOperationException("SO_REUSEPORT is not supported on this platform");
        }
        channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
    }
}
