package dev.pier.reactor;

import java.net.SocketAddress;

/**
 * Builds one {@link Protocol} per accepted connection (Twisted's {@code Factory.buildProtocol}). Returning
 * {@code null} refuses the connection: it is closed at once. State shared by all connections lives in the factory.
 *
 * <pre>{@code
 * reactor.listenTcp(8007, peer -> new Echo());
 * }</pre>
 */
@FunctionalInterface
public interface ProtocolFactory {

    /** A protocol for the connection from {@code peer}, or {@code null} to refuse it. Runs on the loop thread. */
    Protocol buildProtocol(SocketAddress peer);

    /** Called once before the first connection is built, when a port starts listening with this factory. */
    default void startFactory() {}

    /** Called once after the last port using this factory stopped listening. */
    default void stopFactory() {}
}
