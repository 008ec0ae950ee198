package dev.pier.blocking;

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
 */
record RequestJob(Object request, SocketAddress clientAddress, Runnable handle, Runnable release) {
}
