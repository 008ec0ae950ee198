package dev.pier.blocking;

/**
 * The JDK starts the pollers that virtual threads park on for socket I/O when the first one blocks, and starting them
 * takes descriptors. A server that meets its first client in a descriptor shortage would fail then, with an error it
 * cannot survive; so servers that block virtual threads on sockets start the pollers while they build.
 */
final class VirtualThreadPollers {

    private VirtualThreadPollers() {}

    static void start() {
        try {
            Class.forName("sun.nio.ch.Poller", true, null);
        } catch (ClassNotFoundException another) {
            // another JDK's pollers: they start as they start
        }
    }
}
