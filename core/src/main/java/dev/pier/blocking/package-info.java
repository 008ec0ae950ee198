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
 */
package dev.pier.blocking;
