package dev.pier.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pier.endpoint.TcpEndpoint;
import dev.pier.reactor.Protocol;
import dev.pier.reactor.ReactorGroup;
import dev.pier.reactor.ReactorOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ServingTest {

    private static final ServiceHandlers SILENT = new ServiceHandlers("silent", null, null,
            () -> peer -> new Protocol() {
                @Override
                public void dataReceived(ByteBuffer data) {
                }
            }, null);

    @Test
    void aLoopThatDiesEndsTheCommandWithItsCauseAndWithoutStopped() {
        StringWriter out = new StringWriter();
        ReactorGroup loops = ReactorGroup.start(2, ReactorOptions.defaults());
        Serving.Start silent = new Serving.Start("silent", () -> {
            RunningServer server = Servers.startOnFirstLoop(loops, SILENT, new TcpEndpoint("127.0.0.1", 0,
                    TcpEndpoint.DEFAULT_BACKLOG));
            loops.reactors().getLast().callFromThread(() -> {   // not the loop serving: any of them
                throw new OutOfMemoryError("test: Java heap space");
            });
            return server;
        });
        CommandFailure failure = assertThrows(CommandFailure.class, () -> Serving.untilStopped(List.of(silent),
                Duration.ofSeconds(1), new PrintWriter(out), new PrintWriter(new StringWriter())));

        assertEquals("the event loop failed: out of memory (test: Java heap space)", failure.getMessage());
        List<String> lines = out.toString().lines().toList();
        assertEquals(1, lines.size(), "the ready line alone: " + lines);
        assertTrue(lines.getFirst().startsWith("Serving silent on tcp:"), lines.getFirst());
    }
}
