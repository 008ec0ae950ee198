package dev.pier.examples;

import dev.pier.blocking.StreamRequestHandler;
import dev.pier.blocking.TcpServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The tutorial's blocking poetry server (slowpoetry.py) in the socketserver model: the poem goes out
 * {@code numBytes} at a time with a pause after each piece, and, as in the tutorial, one client at a time (the
 * default, synchronous concurrency): a second client waits until the first has its whole poem.
 *
 * <p>Usage: {@code BlockingPoetryServer POEM [PORT [NUM_BYTES [DELAY_MILLIS]]]} (10000, 10 bytes, 100 ms by
 * default).
 */
public final class BlockingPoetryServer {

    private BlockingPoetryServer() {}

    static final class SlowPoemHandler extends StreamRequestHandler {
        private final byte[] poem;
        private final int numBytes;
        private final Duration delay;

        SlowPoemHandler(byte[] poem, int numBytes, Duration delay) {
            this.poem = poem;
            this.numBytes = numBytes;
            this.delay = delay;
        }

        @Override
        protected void handle() throws IOException, InterruptedException {
            for (int sent = 0; sent < poem.length; sent += numBytes) {
                out().write(poem, sent, Math.min(numBytes, poem.length - sent));
                Thread.sleep(delay);   // the blocking way to be slow: this server does nothing else meanwhile
            }
        }
    }

    static TcpServer poetryServer(int port, byte[] poem, int numBytes, Duration delay) throws IOException {
        return new TcpServer("127.0.0.1", port, () -> new SlowPoemHandler(poem, numBytes, delay));
    }

    public static void main(String[] args) throws IOException {
        byte[] poem = Files.readAllBytes(Path.of(args[0]));
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 10000;
        int numBytes = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        Duration delay = Duration.ofMillis(args.length > 3 ? Long.parseLong(args[3]) : 100);
        try (var server = poetryServer(port, poem, numBytes, delay)) {
            System.out.println("Serving " + args[0] + " on " + server.address());
            server.serveUntilStopSignal(Duration.ofSeconds(5));
        }
    }
}
