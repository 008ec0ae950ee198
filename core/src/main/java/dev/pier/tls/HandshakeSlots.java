package dev.pier.tls;

import java.util.ArrayDeque;

/**
 * How many handshakes a TLS server runs at once. A handshake costs far more CPU than the bytes of an established
 * connection, so a flood of new connections waits here, not reading, instead of starving the connections already
 * up; each waits within its own handshake timeout.
 */
final class HandshakeSlots {

    private final int max;
    private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
    private int inUse;

    HandshakeSlots(int max) {
        this.max = max;
    }

    /** True if a slot was free and is now taken; otherwise {@code whenFree} runs once one is handed over. */
    synchronized boolean tryTake(Runnable whenFree) {
        if (inUse < max) {
            inUse++;
            return true;
        }
        waiting.add(whenFree);
        return false;
    }

    /** Gives a slot back, or on to the longest waiting handshake. */
    void give() {
        Runnable next;
        synchronized (this) {
            next = waiting.poll();
            if (next == null) {
                inUse--;
                return;
            }
        }
        next.run();
    }

    /** Forgets a handshake that is still waiting (its connection went away first). */
    synchronized void forget(Runnable whenFree) {
        waiting.remove(whenFree);
    }
}
