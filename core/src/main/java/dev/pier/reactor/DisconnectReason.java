package dev.pier.reactor;

/** Why a connection ended: a clean close by either side, or a loss with its cause. */
public sealed interface DisconnectReason {

    /** The connection was closed cleanly (an orderly close by the peer or by this side). */
    record Done() implements DisconnectReason {}

    /** The connection was lost: reset, aborted, timed out or failed with {@code cause}. */
    record Lost(Throwable cause) implements DisconnectReason {}

    /** The shared instance of a clean close. */
    DisconnectReason DONE = new Done();

    default boolean isClean() {
        return this instanceof Done;
    }
}
