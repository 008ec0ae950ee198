/**
 * HAProxy's PROXY protocol, versions 1 and 2, as a {@link dev.pier.layer.Layer}: a server behind a load balancer
 * learns the real client's address, and from version 2 the TLS details and other fields the proxy adds.
 * {@link dev.pier.proxy.ProxyProtocol#layer()} is the entry point.
 */
package dev.pier.proxy;
