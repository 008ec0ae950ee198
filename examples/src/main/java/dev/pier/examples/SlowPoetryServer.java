package dev.pier.examples;

import dev.pier.reactor.AbstractProtocol;
import dev.pier.reactor.DisconnectReason;
import dev.pier.reactor.ListeningPort;
import dev.pier.reactor.LoopingCall;
import dev.pier.reactor.Reactor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The tutorial's slow poetry server on the reactor: a {@link LoopingCall} per client sends {@code numBytes} of the
 * poem every {@code delay}. Unlike {@link BlockingPoetryServer}, the one loop thread serves every client at once,
 * as it never waits: the pauses are timers.
 *
 * <p>Usage: {@code SlowPoetryServer POEM [PORT [NUM_BYTES [DELAY_MILLIS]]]} (10000, 10 bytes, 100 ms by default).
 */
public final class SlowPoetryServer {

    private SlowPoetryServer() {}

    static final class SlowPoem extends AbstractProtocol {
        private final Reactor reactor;
        private final byte[] poem;
        private final int numBytes;
        private final Duration delay;
        private LoopingCall sending;
        private int sent;

        SlowPoem(Reactor reactor, byte[] poem, int numBytes, Duration delay) {
            this.reactor = reactor;
            this.poem = poem;
            this.numBytes = numBytes;
            this.delay = delay;
        }

        @Override
        protected void connectionMade() {
            sending = LoopingCall.every(reactor, delay, this::sendSome);
            sending.start(true);
        }

        private void sendSome() {
            int length = Math.min(numBytes, poem.length - sent);
            transport().write(ByteBuffer.wrap(poem, sent, length));
            sent += length;
            if (sent == poem.length) {
                sending.stop();
                transport().loseConnection();
            }
        }

        @Override
        public void dataReceived(ByteBuffer data) {}

        @Override
        public void connectionLost(DisconnectReason reason) {
            sending.stop();   // a client that leaves early gets no more timers
        }
    }

    static ListeningPort serveSlowly(Reactor reactor, int port, byte[] poem, int numBytes, Duration delay) {
        return reactor.listenTcp(port, peer -> new SlowPoem(reactor, poem, numBytes, delay), "127.0.0.1");
    }

    public static void main(String[] args) throws IOException {
        byte[] poem = Files.readAllBytes(Path.of(args[0]));
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 10000;
        int numBytes = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        Duration delay = Duration.ofMillis(args.length > 3 ? Long.parseLong(args[3]) : 100);
        try (var reactor = Reactor.create()) {
            var listening = serveSlowly(reactor, port, poem, numBytes, delay);
            System.out.println("Serving " + args[0] + " on " + listening.address());
            reactor.runUntilStopSignal(Duration.ofSeconds(5));
        }
    }
}
