package dev.pier.blocking;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Run in a child JVM with a small heap by {@link ManyConnectionsTest}: a virtual-thread echo server whose
 * handlers each wait until all {@code n} connections are being handled at once, then answer. Prints its port,
 * then the heap in use at the peak, and exits 0 once every connection has been answered.
 */
public final class ManyConnectionsServer {

    private ManyConnectionsServer() {
    }

    public static void main(String[] args) throws Exception {
        int connections = Integer.parseInt(args[0]);
        var allConnected = new CountDownLatch(connections);
        var allAnswered = new CountDownLatch(connections);
        class WaitForAll extends StreamRequestHandler {
            @Override
            protected void handle() throws Exception {
                String line = readLine();
                allConnected.countDown();
                if (!allConnected.await(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("not all connections arrived");
                }
                out().write((line + "\n").getBytes(UTF_8));
                allAnswered.countDown();
            }
        }
        var options = ServerOptions.defaults().withConcurrency(Concurrency.virtualThreads());
        try (var server = new TcpServer(new InetSocketAddress("127.0.0.1", 0), WaitForAll::new, options)) {
            var serving = Thread.ofPlatform().start(() -> {
                try {
                    server.serveForever();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            System.out.println("port " + server.address().getPort());
            allConnected.await();
            System.gc();
            long used = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
            System.out.println("peak heap used " + used / (1024 * 1024) + " MiB");
            allAnswered.await();
            server.shutdown();
            serving.join();
        }
        System.out.println("done");
    }
}
