package dev.pier.blocking;

import java.util.concurrent.CountDownLatch;

/** A child main that waits for ever before it would build its server, as a misbehaving program might. */
public final class HangingChildMain {

    private HangingChildMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        new CountDownLatch(1).await();
    }
}
