package dev.pier.endpoint;

import java.net.SocketAddress;

/** A socket to listen on, one of four kinds; a {@link ServerEndpoint} is one of these, perhaps behind layers. */
public sealed interface SocketEndpoint extends ServerEndpoint
        permits TcpEndpoint, UdpEndpoint, UnixEndpoint, UnixDatagramEndpoint {

    @Override
    SocketEndpoint bound(SocketAddress boundAddress);

    @Override
    default SocketEndpoint socket() {
        return this;
    }
}
