package dev.pier.protocols.policies;

import dev.pier.reactor.Producer;
import dev.pier.reactor.Scheduler;
import dev.pier.reactor.Transport;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/** A transport that passes every call to another; policies override what they change. */
class ForwardingTransport implements Transport {

    final Transport delegate;

    ForwardingTransport(Transport delegate) {
        this.delegate = delegate;
    }

    @Override
    public void write(ByteBuffer data) {
        delegate.write(data);
    }

    @Override
    public void loseConnection() {
        delegate.loseConnection();
    }

    @Override
    public void abortConnection() {
        delegate.abortConnection();
    }

    @Override
    public void shutdownOutput() {
        delegate.shutdownOutput();
    }

    @Override
    public SocketAddress localAddress() {
        return delegate.localAddress();
    }

    @Override
    public SocketAddress remoteAddress() {
        return delegate.remoteAddress();
    }

    @Override
    public void pauseReading() {
        delegate.pauseReading();
    }

    @Override
    public void resumeReading() {
        delegate.resumeReading();
    }

    @Override
    public void registerProducer(Producer producer, boolean streaming) {
        delegate.registerProducer(producer, streaming);
    }

    @Override
    public void unregisterProducer() {
        delegate.unregisterProducer();
    }

    @Override
    public long bufferedBytes() {
        return delegate.bufferedBytes();
    }

    @Override
    public void setNoDelay(boolean noDelay) {
        delegate.setNoDelay(noDelay);
    }

    @Override
    public void setKeepAlive(boolean keepAlive) {
        delegate.setKeepAlive(keepAlive);
    }

    @Override
    public Scheduler scheduler() {
        return delegate.scheduler();
    }

    @Override
    public String toString() {
        return delegate.toString();
    }
}
