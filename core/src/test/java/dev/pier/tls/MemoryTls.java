package dev.pier.tls;

import dev.pier.testing.ManualClock;
import java.util.Arrays;

/**
 * A TLS server and client back to back in memory, on one manual clock: {@link #pump} moves what each side sent to
 * the other, in chunks of a chosen size, until nothing moves.
 */
final class MemoryTls {

    final ManualClock clock;
    final MemoryPeer server;
    final MemoryPeer client;

    /** Connects an echoing server and a recording client; nothing moves until {@link #pump}. */
    MemoryTls(TlsServer server, TlsClient client, String serverName) {
        this(server, client, serverName, new ManualClock());
    }

    /** {@link #MemoryTls(TlsServer, TlsClient, String)} on a clock other connections share. */
    MemoryTls(TlsServer server, TlsClient client, String serverName, ManualClock clock) {
        this.clock = clock;
        this.server = new MemoryPeer(server.newLayer(null), clock, true, 443, 50000);
        this.client = new MemoryPeer(client.newLayer(serverName, null), clock, false, 50000, 443);
        this.server.stack.connectionMade();
        this.client.stack.connectionMade();
    }

    /** Moves everything, whole. */
    MemoryTls pump() {
        return pump(Integer.MAX_VALUE);
    }

    /** Moves everything, {@code chunk} bytes per delivery. */
    MemoryTls pump(int chunk) {
        boolean moved = true;
        while (moved) {
            moved = move(server, client, chunk) | move(client, server, chunk);
        }
        return this;
    }

    private static boolean move(MemoryPeer from, MemoryPeer to, int chunk) {
        byte[] bytes = from.takeOutgoing();
        if (bytes.length == 0 || to.isOver()) {
            return bytes.length > 0;
        }
        for (int start = 0; start < bytes.length && !to.isOver(); start += chunk) {
            to.stack.dataReceived(java.nio.ByteBuffer.wrap(
                    Arrays.copyOfRange(bytes, start, (int) Math.min(bytes.length, (long) start + chunk))));
        }
        return true;
    }
}
