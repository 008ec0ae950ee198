/**
 * Pier: network servers and clients on the JDK alone.
 *
 * <ul>
 *   <li>{@code dev.pier.blocking}: the socketserver model (servers, request handlers, concurrency strategies).</li>
 *   <li>{@code dev.pier.reactor}: the event-driven model (Twisted's reactor, protocols, factories, transports).</li>
 *   <li>{@code dev.pier.unix}: what NIO lacks on Linux, through the C library: Unix datagram sockets, descriptor
 *       passing, peer credentials, descriptor numbers; and stopping gracefully on SIGTERM or SIGINT.</li>
 *   <li>{@code dev.pier.protocols}: line, netstring and length-prefixed receivers.</li>
 *   <li>{@code dev.pier.layer}: layers between a socket and its protocol or handler, in both models.</li>
 *   <li>{@code dev.pier.tls}: TLS as a layer, on the JDK's SSLEngine, with PEM keys, SNI, ALPN and renewal.</li>
 *   <li>{@code dev.pier.proxy}: HAProxy's PROXY protocol header, read by a layer, for servers behind a proxy.</li>
 *   <li>{@code dev.pier.protocols.policies}: idle timeouts, connection limits and throttling for any factory.</li>
 *   <li>{@code dev.pier.service}: services that start and stop with a grace period, composed into groups.</li>
 *   <li>{@code dev.pier.endpoint}: endpoint description strings such as {@code tcp:8080:interface=127.0.0.1}.</li>
 *   <li>{@code dev.pier.metrics}: what a server of either model counted: connections, bytes, errors.</li>
 *   <li>{@code dev.pier.testing}: a manual clock and fake transports to test protocols without a network.</li>
 * </ul>
 */
module dev.pier {
    requires jdk.net;
    // sun.misc.Signal, the JDK's only way to handle SIGTERM and SIGINT without exiting (StopSignals).
    requires jdk.unsupported;
    // Flight Recorder events (dev.pier.jfr, not exported): connections, loop stalls, blocking requests.
    requires jdk.jfr;

    exports dev.pier.blocking;
    exports dev.pier.reactor;
    exports dev.pier.unix;
    exports dev.pier.protocols;
    exports dev.pier.protocols.policies;
    exports dev.pier.layer;
    exports dev.pier.tls;
    exports dev.pier.proxy;
    exports dev.pier.endpoint;
    exports dev.pier.service;
    exports dev.pier.metrics;
    exports dev.pier.testing;
}
