package dev.pier.reactor.internal;

/** Something the loop owns and closes when it stops: a port, a connection, a connection attempt. */
interface LoopResource {

    /** What this is, for log messages ("connection /127.0.0.1:4711 (EchoProtocol)"). */
    String describe();

    /** Closes at once because the loop is shutting down. */
    void closeForShutdown();

    /**
     * Closes at once because a stop was cut short before this finished its work. Default: as
     * {@link #closeForShutdown()}; a connection resets, so that its peer cannot take what it got for the whole.
     */
    default void abortForShutdown() {
        closeForShutdown();
    }
}
