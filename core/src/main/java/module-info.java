/**
 * Pier: network servers and clients on the JDK alone.
 *
 * <ul>
 *   <li>{@code dev.pier.blocking}: the socketserver model (servers, request handlers, concurrency strategies).</li>
 *   <li>{@code dev.pier.reactor}: the event-driven model (Twisted's reactor, protocols, factories, transports).</li>
 * </ul>
 */
module dev.pier {
    requires jdk.net;

    exports dev.pier.blocking;
    exports dev.pier.reactor;
}
