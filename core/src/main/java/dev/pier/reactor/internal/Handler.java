package dev.pier.reactor.internal;

import java.nio.channels.SelectionKey;

/** Whatever a selection key is attached to: told when its channel is ready. */
interface Handler {

    /** The channel of {@code key} is ready for the operations in {@code key.readyOps()}. */
    void ready(SelectionKey key);

    /** What this is, for log messages ("connection from /127.0.0.1:4711 (EchoProtocol)"). */
    String describe();

    /** Closes at once because the loop is shutting down. */
    void closeForShutdown();
}
