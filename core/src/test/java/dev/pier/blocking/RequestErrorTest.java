package dev.pier.blocking;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pier.blocking.TestServers.Serving;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** An error in a handler ends serveForever with that error, whichever thread the handler ran on. */
@Timeout(60)
class RequestErrorTest {

    static Concurrency[] strategies() {
        return new Concurrency[] {Concurrency.synchronous(), Concurrency.threads(), Concurrency.virtualThreads()};
    }

    @ParameterizedTest
    @MethodSource("strategies")
    void anOutOfMemoryErrorInAHandlerEndsServeForever(Concurrency concurrency) throws Exception {
        OutOfMemoryError error = new OutOfMemoryError("test: Java heap space");
        class FailingHandler extends StreamRequestHandler {
            @Override
            protected void handle() {
                throw error;
            }
        }
        try (TcpServer server = new TcpServer(new InetSocketAddress(TestServers.LOOPBACK, 0), FailingHandler::new,
                ServerOptions.defaults().withConcurrency(concurrency))) {
            Serving serving = Serving.start(server);
            try (SocketChannel client = SocketChannel.open(server.address())) {
                ExecutionException ended = assertThrows(ExecutionException.class, serving::awaitStopped);
                assertSame(error, ended.getCause());
            }
        }
    }
}
