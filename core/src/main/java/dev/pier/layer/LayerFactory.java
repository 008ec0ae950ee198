package dev.pier.layer;

import java.net.SocketAddress;

/** Makes the layer for each new connection; a layer holds one connection's state. */
@FunctionalInterface
public interface LayerFactory {

    /** A new layer for a connection from {@code peer}. */
    Layer newLayer(SocketAddress peer);
}
