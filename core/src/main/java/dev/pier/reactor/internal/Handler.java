package dev.pier.reactor.internal;

import java.nio.channels.SelectionKey;

/** Whatever a selection key is attached to: told when its channel is ready. */
interface Handler extends LoopResource {

    /** The channel of {@code key} is ready for the operations in {@code key.readyOps()}. */
    void ready(SelectionKey key);
}
