/**
 * Policies applied to any server factory without changing its protocols (Twisted's
 * {@code twisted.protocols.policies}): {@link dev.pier.protocols.policies.Policies#idleTimeout idle timeouts},
 * {@link dev.pier.protocols.policies.Policies#limitConnections connection limits} in total and per peer, and
 * {@link dev.pier.protocols.policies.Policies#throttleReads read} and
 * {@link dev.pier.protocols.policies.Policies#throttleWrites write} throttling;
 * {@link dev.pier.protocols.policies.IdleTimeout} is the idle timer for use inside a protocol (Twisted's
 * {@code TimeoutMixin}).
 */
package dev.pier.protocols.policies;
