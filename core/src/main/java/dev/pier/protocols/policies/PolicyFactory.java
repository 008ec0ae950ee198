package dev.pier.protocols.policies;

import dev.pier.reactor.ProtocolFactory;
import java.util.Objects;

/**
 * The factory a policy returns in place of the one it wraps: it builds protocols its own way and passes
 * {@code startFactory}, {@code stopFactory} and {@code toString} on, so that wrapping changes nothing else.
 */
abstract class PolicyFactory implements ProtocolFactory {

    /** The factory this policy wraps. */
    final ProtocolFactory factory;

    /** A policy around {@code factory}. */
    PolicyFactory(ProtocolFactory factory) {
        this.factory = Objects.requireNonNull(factory, "factory");
    }

    @Override
    public final void startFactory() {
        factory.startFactory();
    }

    @Override
    public final void stopFactory() {
        factory.stopFactory();
    }

    @Override
    public final String toString() {
        return factory.toString();
    }
}
