package dev.pier.blocking;

import java.util.OptionalInt;

/** Runs each request on the serving thread. */
final class SynchronousDispatcher implements RequestDispatcher {

    private volatile boolean handling;

    @Override
    public void dispatch(RequestJob job) {
        handling = true;
        try {
            job.handle().run();
        } finally {
            handling = false;
        }
    }

    @Override
    public OptionalInt requestsInProgress() {
        return OptionalInt.of(handling ? 1 : 0);
    }

    @Override
    public void close() {
    }
}
