package dev.pier.app.cli;

import java.util.Locale;

/** How a pier server runs its requests, named as on the command line. */
public enum ConcurrencyMode {
    /** One request at a time on the serving thread (socketserver's plain servers). */
    SYNC,
    /** One platform thread per request (ThreadingMixIn). */
    THREADS,
    /** One virtual thread per request. */
    VIRTUAL,
    /** One child process per request (ForkingMixIn). */
    FORKING,
    /** Every connection on an event loop, one per core (Twisted's reactor, as a {@code ReactorGroup}). */
    REACTOR;

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
