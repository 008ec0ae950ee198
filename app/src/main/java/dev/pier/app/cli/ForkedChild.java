package dev.pier.app.cli;

/**
 * Whether this process is a child JVM that a forking server started to handle one request. Such a child re-runs
 * the pier command line; its server takes the request from the parent instead of binding, then ends the JVM. It
 * must print nothing of its own and leave the address alone: the parent owns both.
 */
final class ForkedChild {

    /** Set by {@code Concurrency.forking()} in the environment of each child it starts. */
    private static final String CONTROL_SOCKET_VARIABLE = "PIER_FORK_CHANNEL";

    private ForkedChild() {}

    static boolean isThisProcess() {
        return System.getenv(CONTROL_SOCKET_VARIABLE) != null;
    }
}
