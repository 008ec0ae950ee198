package dev.pier.examples;

import dev.pier.unix.StopSignals;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The tutorial's low-level poetry server, with no protocol and no factory: one thread, one NIO selector, and the
 * loop written out by hand. It is what Pier's reactor does for you (and what it adds: timers, clients, back
 * pressure, a graceful stop); compare it with {@link FastPoetryServer}.
 *
 * <p>Usage: {@code SelectorPoetryServer POEM [PORT]} (port 10000 by default).
 */
public final class SelectorPoetryServer implements AutoCloseable {

    private final byte[] poem;
    private final Selector selector;
    private final ServerSocketChannel listening;
    private volatile boolean stopping;

    SelectorPoetryServer(int port, byte[] poem) throws IOException {
        this.poem = poem;
        this.selector = Selector.open();
        this.listening = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", port));
        listening.configureBlocking(false);
        listening.register(selector, SelectionKey.OP_ACCEPT);
    }

    InetSocketAddress address() throws IOException {
        return (InetSocketAddress) listening.getLocalAddress();
    }

    /**
     * Accepts clients and writes each one as much of the poem as its socket takes whenever it takes more, closing it
     * once the poem is sent, until {@link #stop()}.
     */
    synchronized void serve() throws IOException {
        while (!stopping) {
            selector.select();
            for (SelectionKey key : selector.selectedKeys()) {
                if (key.isAcceptable()) {
                    SocketChannel client = listening.accept();
                    if (client != null) {
                        client.configureBlocking(false);
                        client.register(selector, SelectionKey.OP_WRITE, ByteBuffer.wrap(poem));
                    }
                } else if (key.isWritable()) {
                    var client = (SocketChannel) key.channel();
                    var unsent = (ByteBuffer) key.attachment();
                    try {
                        client.write(unsent);
                    } catch (IOException gone) {
                        unsent.position(unsent.limit());   // the client left early: nothing more to send it
                    }
                    if (!unsent.hasRemaining()) {
                        client.close();                      // also cancels its key
                    }
                }
            }
            selector.selectedKeys().clear();
        }
    }

    /** Makes {@link #serve()} return soon; from any thread. */
    void stop() {
        stopping = true;
        selector.wakeup();
    }

    /** Stops serving and closes the listening socket and every client's. */
    @Override
    public void close() throws IOException {
        stop();
        synchronized (this) {   // serve() holds this lock until its loop has ended
            if (!selector.isOpen()) {
                return;
            }
            for (SelectionKey key : selector.keys()) {
                key.channel().close();
            }
            selector.close();
        }
    }

    public static void main(String[] args) throws IOException {
        byte[] poem = Files.readAllBytes(Path.of(args[0]));
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 10000;
        try (var server = new SelectorPoetryServer(port, poem)) {
            StopSignals.install().stopRequested().thenRun(server::stop);
            System.out.println("Serving " + args[0] + " on " + server.address());
            server.serve();
        }
    }
}
