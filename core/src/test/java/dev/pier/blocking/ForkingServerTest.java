package dev.pier.blocking;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pier.blocking.ForkedChildMain.Scripted;
import dev.pier.blocking.TestServers.Client;
import dev.pier.blocking.TestServers.Kind;
import dev.pier.blocking.TestServers.Recorder;
import dev.pier.blocking.TestServers.Serving;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class ForkingServerTest {

    @TempDir
    Path dir;

    @Test
    void smoke() throws Exception {
        Kind kind = Kind.TCP;
        var forking = Concurrency.forking().withChildMain(ForkedChildMain.class, kind.name(), "PROCESS", dir.toString());
        try (BaseServer<?> server = kind.create(Scripted.PROCESS, new Recorder(),
                ServerOptions.defaults().withConcurrency(forking), dir)) {
            Serving serving = Serving.start(server);
            for (int i = 0; i < 5; i++) {
                long start = System.nanoTime();
                try (Client client = kind.connect(server)) {
                    String pid = client.exchange("pid");
                    System.err.println("pid " + pid + " in " + (System.nanoTime() - start) / 1e6 + " ms");
                }
            }
            serving.shutdownAndAwait();
        }
    }
}
