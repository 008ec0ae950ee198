package dev.pier.testing;

import dev.pier.blocking.DatagramRequest;
import dev.pier.blocking.DatagramRequestHandler;
import dev.pier.blocking.RequestHandlerFactory;
import dev.pier.blocking.ServerOptions;
import dev.pier.blocking.UdpServer;
import dev.pier.testing.FakeDatagramTransport.Datagram;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Runs a {@link DatagramRequestHandler} (any handler of {@link DatagramRequest}s) on datagrams given in memory, on
 * the test thread, and records the replies: no socket, no thread, no waiting.
 *
 * <pre>{@code
 * DatagramHandlerHarness port = new DatagramHandlerHarness();
 * port.receive("ping".getBytes(UTF_8), DatagramEchoHandler::new);      // setup, handle, finish
 * assertArrayEquals("ping".getBytes(UTF_8), port.replies().getFirst().data());
 * }</pre>
 *
 * <p>Each datagram gets a new handler, whose {@code server()} is a {@link UdpServer} that was never bound.
 */
public final class DatagramHandlerHarness {

    private final List<Datagram> replies = new ArrayList<>();
    private SocketAddress clientAddress = new InetSocketAddress(InetAddress.getLoopbackAddress(), 54321);

    /** A port that has received nothing yet. */
    public DatagramHandlerHarness() {}

    /** The sender of the next datagrams as handlers see it (default 127.0.0.1:54321). */
    public DatagramHandlerHarness clientAddress(SocketAddress address) {
        this.clientAddress = Objects.requireNonNull(address, "address");
        return this;
    }

    /**
     * Makes a handler with {@code handlers} and runs it on {@code datagram} as a server does: setup, handle,
     * finish (which sends the reply).
     *
     * @throws Exception what the handler threw
     */
    public DatagramHandlerHarness receive(byte[] datagram, RequestHandlerFactory<DatagramRequest> handlers)
            throws Exception {
        DatagramRequest request = new DatagramRequest(ByteBuffer.wrap(datagram.clone()), (reply, target) -> {
            byte[] bytes = new byte[reply.remaining()];
            reply.get(bytes);
            replies.add(new Datagram(bytes, target));
            return bytes.length;
        });
        try (Host host = new Host(handlers)) {
            host.handle(request, clientAddress);
        }
        return this;
    }

    /** Every reply sent so far, in order. */
    public List<Datagram> replies() {
        return List.copyOf(replies);
    }

    /** A server that never binds, to run a handler as its own {@code finishRequest} does. */
    private static final class Host extends UdpServer {
        Host(RequestHandlerFactory<DatagramRequest> handlers) throws IOException {
            super(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), handlers,
                    ServerOptions.defaults().withBindAndActivate(false));
        }

        void handle(DatagramRequest request, SocketAddress client) throws Exception {
            finishRequest(request, client);
        }
    }
}
