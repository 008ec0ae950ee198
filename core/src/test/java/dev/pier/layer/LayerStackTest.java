package dev.pier.layer;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pier.layer.TestLayers.FromLine;
import dev.pier.layer.TestLayers.Tagging;
import dev.pier.layer.TestLayers.Upcase;
import dev.pier.reactor.DisconnectReason;
import dev.pier.reactor.Protocol;
import dev.pier.reactor.Transport;
import dev.pier.testing.FakeTransport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Layers driven through {@link FakeTransport} alone: no socket, no reactor. */
class LayerStackTest {

    /** Echoes, and records what it saw. */
    static final class Echo implements Protocol {
        final List<String> events = new ArrayList<>();
        Transport transport;
        SocketAddress peerAtStart;
        DisconnectReason lostWith;

        @Override
        public void connectionMade(Transport transport) {
            this.transport = transport;
            this.peerAtStart = transport.remoteAddress();
            events.add("made");
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            events.add("data " + US_ASCII.decode(data.duplicate()));
            transport.write(data);
        }

        @Override
        public void connectionLost(DisconnectReason reason) {
            lostWith = reason;
            events.add("lost");
        }
    }

    @Test
    void bytesMeetTheOutermostLayerFirstComingInAndLastGoingOut() {
        List<String> log = new ArrayList<>();
        var protocol = new Echo();
        FakeTransport transport = FakeTransport.connect(LayeredProtocol.wrap(protocol,
                List.of(new Tagging("outer", log), new Tagging("inner", log))));
        transport.receive("hi");
        assertEquals(List.of("outer in hi", "inner in hi", "inner out hi", "outer out hi"), log);
        assertEquals("hi", transport.writtenString());
    }

    @Test
    void aLayerTransformsWhatThePeerSends() {
        FakeTransport transport = FakeTransport.connect(LayeredProtocol.wrap(new Echo(), List.of(new Upcase())));
        transport.receive("shout");
        assertEquals("SHOUT", transport.writtenString());
    }

    @Test
    void aLayerHoldsTheConnectionUntilItsHeaderAndNamesTheRealPeer() {
        var protocol = new Echo();
        FakeTransport transport = FakeTransport.connect(LayeredProtocol.wrap(protocol, List.of(new FromLine())));
        transport.receive("FROM 192.0.2.7 ", "4000\nfirst");
        assertEquals(List.of("made", "data first"), protocol.events);
        assertEquals(InetSocketAddress.createUnresolved("192.0.2.7", 4000), protocol.peerAtStart);
        assertEquals("first", transport.writtenString());
    }

    @Test
    void aLayerThatRefusesTheConnectionResetsItAndTheProtocolNeverStarts() {
        var protocol = new Echo();
        FakeTransport transport = FakeTransport.connect(LayeredProtocol.wrap(protocol, List.of(new FromLine())));
        transport.receive("GET / HTTP/1.0\n");
        assertTrue(transport.isAborted());
        transport.disconnect();
        assertEquals(List.of(), protocol.events);
    }

    @Test
    void theProtocolLearnsWhyALayerAbortedTheConnection() {
        var protocol = new Echo();
        Layer refuser = new Layer() {
            @Override
            public void dataReceived(ByteBuffer data, Context context) {
                context.abort(new IOException("refused by a layer"));
            }
        };
        FakeTransport transport = FakeTransport.connect(LayeredProtocol.wrap(protocol, List.of(refuser)));
        transport.receive("x");
        transport.disconnect();
        var lost = assertInstanceOf(DisconnectReason.Lost.class, protocol.lostWith);
        assertEquals("refused by a layer", lost.cause().getMessage());
    }

    @Test
    void passingBytesUpBeforeTheConnectionIsAMistakeNamedAtOnce() {
        Layer hasty = new Layer() {
            @Override
            public void connectionMade(Context context) {}
        };
        FakeTransport transport = FakeTransport.connect(LayeredProtocol.wrap(new Echo(), List.of(hasty)));
        var error = assertThrows(IllegalStateException.class, () -> transport.receive("x"));
        assertTrue(error.getMessage().contains("before passing the connection on"), error.getMessage());
    }

    @Test
    void anEndOfInputFromALayerWaitsWhileTheProtocolHasPausedReading() {
        // A layer ending input in the read that carried the last bytes, as a TLS close_notify does.
        Layer endsAfterData = new Layer() {
            @Override
            public void dataReceived(ByteBuffer data, Context context) {
                context.passUp(data);
                context.passInputEnded();
            }
        };
        List<String> lines = new ArrayList<>();
        var pausing = new dev.pier.protocols.LineReceiver() {
            @Override
            protected void lineReceived(String line) {
                lines.add(line);
                if (line.equals("a")) {
                    transport().pauseReading();   // say, waits for a backend before the next line
                }
            }
        };
        FakeTransport transport = FakeTransport.connect(LayeredProtocol.wrap(pausing, List.of(endsAfterData)));
        transport.receive("a\r\nb\r\n");
        assertEquals(List.of("a"), lines);
        assertFalse(transport.isDisconnecting(), "the end waits for the protocol");
        pausing.transport().resumeReading();
        assertEquals(List.of("a", "b"), lines);
        assertTrue(transport.isDisconnecting(), "then the connection ends");
    }

    @Test
    void aProtocolFindsItsLayersByType() {
        var protocol = new Echo();
        var upcase = new Upcase();
        FakeTransport.connect(LayeredProtocol.wrap(protocol, List.of(upcase)));
        assertEquals(upcase, protocol.transport.layer(Upcase.class).orElseThrow());
        assertFalse(protocol.transport.layer(FromLine.class).isPresent());
    }

    @Test
    void wrappingALayeredProtocolMakesOneStackWithTheNewLayersOutside() {
        var inner = new Upcase();
        var outer = new FromLine();
        LayeredProtocol layered = LayeredProtocol.wrap(LayeredProtocol.wrap(new Echo(), List.of(inner)), List.of(outer));
        assertEquals(List.of(outer, inner), layered.layers());
        assertInstanceOf(Echo.class, layered.protocol());
    }
}
