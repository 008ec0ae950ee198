/**
 * The socketserver model: a server waits for requests and runs a fresh handler for each one.
 *
 * <ul>
 *   <li>Servers: {@link dev.pier.blocking.TcpServer}, {@link dev.pier.blocking.UdpServer},
 *       {@link dev.pier.blocking.UnixStreamServer}, {@link dev.pier.blocking.UnixDatagramServer}, over the template
 *       {@link dev.pier.blocking.BaseServer}.</li>
 *   <li>Handlers: {@link dev.pier.blocking.StreamRequestHandler}, {@link dev.pier.blocking.DatagramRequestHandler},
 *       over {@link dev.pier.blocking.BaseRequestHandler}, made by a
 *       {@link dev.pier.blocking.RequestHandlerFactory}.</li>
 *   <li>Concurrency, given to any server: {@link dev.pier.blocking.Concurrency#synchronous()},
 *       {@link dev.pier.blocking.Concurrency#threads()}, {@link dev.pier.blocking.Concurrency#virtualThreads()},
 *       {@link dev.pier.blocking.Concurrency#forking()} (a child process per request).</li>
 * </ul>
 *
 * <h2>One request</h2>
 *
 * Every step is a protected method of {@link dev.pier.blocking.BaseServer} that a subclass may override:
 *
 * <pre>
 * serveForever()                         until shutdown(), from any thread or from a handler
 * │
 * ├─ awaitRequest(timeout)               waits for a connection or a datagram; wakeUp() cuts the wait short
 * ├─ getRequest()                        accepts or receives; null: nothing after all, wait again;
 * │                                      IOException: pause, then retry (out of descriptors, say)
 * ├─ verifyRequest(request, client)      false: shutdownRequest, next request; throws: handleError too
 * ├─ processRequest(request, client)     hands the request to the Concurrency's dispatcher, which runs the
 * │  │                                   rest on the serving thread, a thread of its own or a child process
 * │  ├─ finishRequest(request, client)   a new handler: setup() → handle() → finish()
 * │  ├─ handleError(request, client, e)  only if finishRequest threw an Exception; serving goes on
 * │  └─ shutdownRequest(request)         always: half-closes a connection,
 * │     └─ closeRequest(request)         then releases it
 * └─ serviceActions()                    after each request, then back to awaitRequest
 * </pre>
 *
 * {@code handleRequest()} runs the same steps once, and calls {@code handleTimeout()} when no request comes
 * within {@link dev.pier.blocking.ServerOptions#timeout()}.
 */
package dev.pier.blocking;
