/**
 * Pier: network servers and clients on the JDK alone.
 *
 * <ul>
 *   <li>{@code dev.pier.reactor}: the event-driven model (Twisted's reactor, protocols, factories, transports).</li>
 * </ul>
 */
module dev.pier {
    exports dev.pier.reactor;
}
