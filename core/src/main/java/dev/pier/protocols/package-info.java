/**
 * Protocols that cut a byte stream into messages, whatever the packet boundaries (Twisted's
 * {@code twisted.protocols.basic}).
 *
 * <ul>
 *   <li>{@link dev.pier.protocols.LineReceiver}: lines ending in a delimiter ({@code "\r\n"} by default), with a
 *       maximum length and a raw mode.</li>
 *   <li>{@link dev.pier.protocols.NetstringReceiver}: netstrings, {@code 5:hello,}; malformed input closes the
 *       connection.</li>
 *   <li>{@link dev.pier.protocols.Int8StringReceiver}, {@link dev.pier.protocols.Int16StringReceiver},
 *       {@link dev.pier.protocols.Int32StringReceiver}: strings after a big-endian length, over
 *       {@link dev.pier.protocols.IntNStringReceiver}.</li>
 * </ul>
 *
 * <p>All of them extend {@link dev.pier.reactor.AbstractProtocol}, stop delivering as soon as the protocol pauses
 * reading or closes the connection, and hand message bytes out as buffers valid only during the callback.
 */
package dev.pier.protocols;
