/**
 * Testing protocols without a network or waiting: {@link dev.pier.testing.ManualClock} (Twisted's
 * {@code task.Clock}) is a scheduler whose time moves only when a test advances it, and
 * {@link dev.pier.testing.FakeTransport} / {@link dev.pier.testing.FakeDatagramTransport} (Twisted's
 * {@code StringTransport}) drive a protocol's callbacks and record what it writes;
 * {@link dev.pier.testing.FakeConnection} connects a client protocol to a server protocol back to back.
 *
 * <pre>{@code
 * ManualClock clock = new ManualClock();
 * FakeTransport transport = FakeTransport.connect(new SlowPoetry(poem), clock);
 * clock.advance(Duration.ofMillis(700));
 * assertEquals(poem.substring(0, 10), transport.writtenString());
 * }</pre>
 */
package dev.pier.testing;
