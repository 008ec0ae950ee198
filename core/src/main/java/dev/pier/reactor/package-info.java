/**
 * The event-driven model, after Twisted: one thread runs an event loop that calls protocol objects when
 * connections open, bytes arrive and connections end, so thousands of connections share one thread and no lock.
 *
 * <table>
 *   <caption>Twisted concepts and their Pier names</caption>
 *   <tr><th>Twisted</th><th>Pier</th></tr>
 *   <tr><td>{@code reactor}</td><td>{@link dev.pier.reactor.Reactor}; several cores:
 *       {@link dev.pier.reactor.ReactorGroup}</td></tr>
 *   <tr><td>{@code IReactorTCP}, {@code IReactorUDP}, {@code IReactorTime}, as a type to depend on</td>
 *       <td>{@link dev.pier.reactor.ReactorServices} (a {@code Reactor}, or a {@code MemoryReactor} in tests)</td></tr>
 *   <tr><td>{@code listenTCP}, {@code listenUDP}, {@code listenUNIX}, {@code listenUNIXDatagram},
 *       {@code IListeningPort}</td>
 *       <td>{@code Reactor.listenTcp}, {@code listenUdp}, {@code listenUnix}, {@code listenUnixDatagram},
 *       {@link dev.pier.reactor.ListeningPort}</td></tr>
 *   <tr><td>{@code connectTCP}, {@code connectUNIX}</td>
 *       <td>{@code Reactor.connectTcp}, {@code connectUnix}: a {@code CompletableFuture} of the protocol</td></tr>
 *   <tr><td>{@code Protocol}, {@code IHalfCloseableProtocol}, {@code DatagramProtocol}</td>
 *       <td>{@link dev.pier.reactor.Protocol}, {@link dev.pier.reactor.HalfCloseableProtocol},
 *       {@link dev.pier.reactor.DatagramProtocol}</td></tr>
 *   <tr><td>{@code Factory}, {@code ClientFactory}, {@code ReconnectingClientFactory}</td>
 *       <td>{@link dev.pier.reactor.ProtocolFactory}, {@link dev.pier.reactor.ClientFactory},
 *       {@link dev.pier.reactor.ReconnectingClientFactory}</td></tr>
 *   <tr><td>{@code ITransport}, {@code IProducer}/{@code IPushProducer}/{@code IPullProducer}</td>
 *       <td>{@link dev.pier.reactor.Transport}, {@link dev.pier.reactor.DatagramTransport},
 *       {@link dev.pier.reactor.Producer} (streaming or not)</td></tr>
 *   <tr><td>{@code callLater}, {@code IDelayedCall}, {@code callFromThread}, {@code callInThread},
 *       {@code deferToThread}, {@code addSystemEventTrigger('before', 'shutdown', ...)}</td>
 *       <td>{@code Reactor.callLater}, {@link dev.pier.reactor.DelayedCall}, {@code callFromThread},
 *       {@code callInThread}, {@code deferToThread}, {@code addShutdownHook}</td></tr>
 *   <tr><td>{@code ConnectionDone}, {@code ConnectionLost}</td><td>{@link dev.pier.reactor.DisconnectReason}</td></tr>
 * </table>
 *
 * <p>Where Pier goes further than Twisted: writes are bounded (a peer that never reads is cut off at
 * {@link dev.pier.reactor.ReactorOptions#maxBufferedBytes()}), running out of file descriptors pauses accepting
 * instead of spinning, {@link dev.pier.reactor.Reactor#stop(java.time.Duration)} drains connections gracefully, a
 * callback that holds the loop too long is logged, and {@link dev.pier.reactor.ReactorGroup} uses every core.
 */
package dev.pier.reactor;
