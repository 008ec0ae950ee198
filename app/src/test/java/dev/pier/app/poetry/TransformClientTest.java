package dev.pier.app.poetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pier.reactor.DisconnectReason;
import dev.pier.testing.FakeTransport;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class TransformClientTest {

    private final TransformClient request =
            new TransformClient("cummingsify", "HERE IS MY POEM".getBytes(StandardCharsets.UTF_8));

    @Test
    void sendsOneNetstringRequestAndCompletesWithTheReply() throws Exception {
        FakeTransport server = FakeTransport.connect(request.buildProtocol(null));
        assertEquals("27:cummingsify.HERE IS MY POEM,", server.writtenString());

        server.receive("15:here is my", " poem,");

        assertEquals("here is my poem", new String(request.result().get(), StandardCharsets.UTF_8));
        assertTrue(server.isDisconnecting());
    }

    @Test
    void aCloseWithoutAReplyIsAFailure() {
        FakeTransport server = FakeTransport.connect(request.buildProtocol(null));
        server.disconnect(DisconnectReason.DONE);
        assertTrue(failure().startsWith("the transform server closed without a reply"), failure());
    }

    @Test
    void aMalformedReplyIsAFailure() {
        FakeTransport server = FakeTransport.connect(request.buildProtocol(null));
        server.receive("15x");
        assertTrue(failure().startsWith("malformed reply: "), failure());
    }

    @Test
    void anUnreachableServerIsAFailure() {
        request.connectionFailed(null, new ConnectException("Connection refused"));
        assertEquals("cannot connect: Connection refused", failure());
    }

    private String failure() {
        ExecutionException failed = assertThrows(ExecutionException.class, () -> request.result().get());
        return PoemFetch.describe(failed.getCause());
    }
}
