package dev.pier.app.cli;

import dev.pier.blocking.DatagramRequest;
import dev.pier.blocking.RequestHandlerFactory;
import dev.pier.reactor.DatagramProtocol;
import dev.pier.reactor.ProtocolFactory;
import java.nio.channels.SocketChannel;
import java.util.function.Supplier;

/**
 * What a service does in each model, so that a command can serve it on whichever transport and concurrency the user
 * chose: a request handler for the blocking model, a protocol for the reactor, each for streams and for datagrams.
 * The reactor serves with a protocol factory per event loop, so that one that keeps state across its connections (the
 * poems in flight, say) is only ever used by its loop's thread.
 */
public record ServiceHandlers(String name,
                      RequestHandlerFactory<SocketChannel> streamHandler,
                      RequestHandlerFactory<DatagramRequest> datagramHandler,
                      Supplier<? extends ProtocolFactory> protocolFactories,
                      Supplier<DatagramProtocol> datagramProtocol) {
}
