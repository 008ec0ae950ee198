package dev.pier.reactor;

import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * A client factory that keeps a connection up (Twisted's {@code ReconnectingClientFactory}): when an attempt fails
 * or an established connection is lost, it tries again after a delay that grows exponentially with each failure,
 * with random jitter so many clients do not reconnect in step, up to a maximum delay and an optional number of
 * retries. A successful connection resets the delay. Timers are the reactor's, so a test drives it on a
 * {@code MemoryReactor}; it reports to the reactor's logger.
 *
 * <pre>{@code
 * var factory = new ReconnectingClientFactory(peer -> new PoetryClient(), ReconnectingClientFactory.Backoff.defaults(),
 *         new Random());
 * factory.connectTcp(reactor, "localhost", 10000);
 * ...
 * reactor.callFromThread(factory::stopTrying);
 * }</pre>
 *
 * <p>Subclasses overriding {@code connectionFailed} or {@code connectionLost} must call {@code super}. Methods
 * other than {@code connect*} run on the loop thread.
 */
public class ReconnectingClientFactory implements ClientFactory {

    /**
     * The retry schedule: the first retry waits {@code initialDelay}, each further one {@code factor} times longer,
     * never more than {@code maxDelay}; each delay is then spread uniformly by ±{@code jitter} (a fraction). After
     * {@code maxRetries} retries in a row without a connection the factory gives up; -1 means never.
     */
    public record Backoff(Duration initialDelay, double factor, Duration maxDelay, double jitter, int maxRetries) {

        /** Checks that the values make sense together. */
        public Backoff {
            Objects.requireNonNull(initialDelay, "initialDelay");
            Objects.requireNonNull(maxDelay, "maxDelay");
            if (initialDelay.isNegative() || maxDelay.compareTo(initialDelay) < 0 || factor < 1
                    || jitter < 0 || jitter >= 1 || maxRetries < -1) {
                throw new IllegalArgumentException("need 0 <= initialDelay <= maxDelay, factor >= 1, "
                        + "0 <= jitter < 1 and maxRetries >= -1, got " + this);
            }
        }

        /** Twisted's schedule: 1 s, times e, at most an hour, about 12 % jitter, retrying for ever. */
        public static Backoff defaults() {
            return new Backoff(Duration.ofSeconds(1), Math.E, Duration.ofHours(1), 0.12, -1);
        }
    }

    private final ProtocolFactory protocols;
    private final Backoff backoff;
    private final Random random;
    private Scheduler scheduler;
    private System.Logger logger;
    private Supplier<CompletableFuture<Protocol>> attempt;
    private CompletableFuture<Protocol> pending;
    private DelayedCall retryTimer;
    private boolean trying;
    private int retries;
    private double delayNanos;

    /** Builds protocols with {@code protocols}; {@code random} supplies the jitter (pass a seeded one in tests). */
    public ReconnectingClientFactory(ProtocolFactory protocols, Backoff backoff, Random random) {
        this.protocols = Objects.requireNonNull(protocols, "protocols");
        this.backoff = Objects.requireNonNull(backoff, "backoff");
        this.random = Objects.requireNonNull(random, "random");
        this.delayNanos = backoff.initialDelay().toNanos();
    }

    /** Connects to {@code host:port} now and keeps reconnecting; safe from any thread. */
    public void connectTcp(ReactorServices reactor, String host, int port) {
        start(reactor, () -> reactor.connectTcp(host, port, this));
    }

    /** Connects to the Unix socket at {@code path} now and keeps reconnecting; safe from any thread. */
    public void connectUnix(ReactorServices reactor, Path path) {
        start(reactor, () -> reactor.connectUnix(path, this));
    }

    private void start(ReactorServices reactor, Supplier<CompletableFuture<Protocol>> connect) {
        reactor.callFromThread(() -> {
            if (trying) {
                throw new IllegalStateException("this factory is already connecting; use one factory per target");
            }
            scheduler = reactor;
            logger = reactor.logger();
            attempt = connect;
            trying = true;
            connectNow();
        });
    }

    /** Stops reconnecting: a pending retry is cancelled, as is an attempt in progress. An open connection stays. */
    public void stopTrying() {
        trying = false;
        if (retryTimer != null) {
            retryTimer.cancel();
            retryTimer = null;
        }
        if (pending != null) {
            pending.cancel(false);
        }
    }

    /** Forgets past failures: the next retry waits {@code initialDelay} again. Done on every connection made. */
    public void resetDelay() {
        retries = 0;
        delayNanos = backoff.initialDelay().toNanos();
    }

    /** Failed attempts since the last successful connection. */
    public int retries() {
        return retries;
    }

    @Override
    public Protocol buildProtocol(SocketAddress peer) {
        resetDelay();
        pending = null;
        return protocols.buildProtocol(peer);
    }

    @Override
    public void connectionFailed(SocketAddress address, Throwable cause) {
        pending = null;
        retryLater(address, cause.toString());
    }

    @Override
    public void connectionLost(SocketAddress address, DisconnectReason reason) {
        retryLater(address, reason.toString());
    }

    private void connectNow() {
        retryTimer = null;
        if (trying) {
            pending = attempt.get();
        }
    }

    private void retryLater(SocketAddress address, String why) {
        if (!trying) {
            return;
        }
        if (backoff.maxRetries() >= 0 && retries >= backoff.maxRetries()) {
            logger.log(Level.WARNING, "giving up on {0} after {1,number,#} retries: {2}", address, retries, why);
            trying = false;
            return;
        }
        if (retries > 0) {
            delayNanos = Math.min(delayNanos * backoff.factor(), backoff.maxDelay().toNanos());
        }
        retries++;
        double spread = 1 + backoff.jitter() * (2 * random.nextDouble() - 1);
        Duration delay = Duration.ofNanos(Math.round(Math.min(delayNanos * spread, backoff.maxDelay().toNanos())));
        logger.log(Level.INFO, "connection to {0} ended ({1}); retry {2,number,#} in {3,number,#} ms", address, why,
                retries, delay.toMillis());
        retryTimer = scheduler.callLater(delay, this::connectNow);
    }
}
