package dev.pier.app.cli;

import dev.pier.blocking.Forking;

/**
 * Whether this process is a child JVM that a forking server started to handle one request. Such a child re-runs
 * the pier command line; its server takes the request from the parent instead of binding, then ends the JVM. It
 * must print nothing of its own and leave the address alone: the parent owns both.
 */
public final class ForkedChild {

    private ForkedChild() {}

    public static boolean isThisProcess() {
        return Forking.isForkedChild();
    }
}
