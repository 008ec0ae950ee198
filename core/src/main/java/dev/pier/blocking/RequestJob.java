package dev.pier.blocking;

import java.io.IOException;
import java.net.SocketAddress;

/**
 * One verified request, as a {@link RequestDispatcher} sees it.
 *
 * @param request       the request ({@code SocketChannel} or {@link DatagramRequest})
 * @param clientAddress the client's address
 * @param handle        runs the whole rest of the request where it is called: finishRequest (the handler),
 *                      handleError if that threw, then shutdownRequest. Never throws an {@code Exception}.
 * @param release       closes this process's copy of the request without handling it (closeRequest): for a
 *                      strategy that hands the request to another process, or cannot run it at all
 * @param handOver      describes the request for a child process, which rebuilds it from that description
 */
record RequestJob(Object request, SocketAddress clientAddress, Runnable handle, Runnable release,
                  HandOver handOver) {

    /** Describes a request for a child process: see {@link BaseServer#forkRequest}. */
    @FunctionalInterface
    interface HandOver {
        ForkedRequest describe() throws IOException;
    }
}
