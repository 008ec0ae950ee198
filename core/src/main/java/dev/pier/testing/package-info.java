/**
 * Testing without a network or waiting, one fake per level:
 *
 * <ul>
 *   <li>{@link dev.pier.testing.ManualClock} (Twisted's {@code task.Clock}): a scheduler whose time moves only when
 *       a test advances it.</li>
 *   <li>{@link dev.pier.testing.FakeTransport} (Twisted's {@code StringTransport}): drives a protocol's callbacks
 *       and records what it writes.</li>
 *   <li>{@link dev.pier.testing.FakeDatagramTransport}: the same for a datagram protocol.</li>
 *   <li>{@link dev.pier.testing.FakeConnection} (Twisted's {@code iosim}): a client and a server protocol back to
 *       back.</li>
 *   <li>{@link dev.pier.testing.MemoryReactor} (Twisted's {@code MemoryReactorClock}): records the listens and
 *       connects of code that takes a reactor, on a manual clock.</li>
 *   <li>{@link dev.pier.testing.StreamHandlerHarness}: runs a blocking model's stream handler on an in-memory
 *       connection.</li>
 *   <li>{@link dev.pier.testing.DatagramHandlerHarness}: runs a blocking model's datagram handler on in-memory
 *       datagrams.</li>
 * </ul>
 *
 * <pre>{@code
 * ManualClock clock = new ManualClock();
 * FakeTransport transport = FakeTransport.connect(new SlowPoetry(poem), clock);
 * clock.advance(Duration.ofMillis(700));
 * assertEquals(poem.substring(0, 10), transport.writtenString());
 * }</pre>
 */
package dev.pier.testing;
