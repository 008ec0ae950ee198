package dev.pier.blocking;

import java.util.OptionalInt;

/** {@link Concurrency#synchronous()}. */
final class Synchronous implements Concurrency {

    static final Synchronous INSTANCE = new Synchronous();

    private Synchronous() {
    }

    @Override
    public String toString() {
        return "synchronous";
    }

    /** Runs each request on the serving thread. */
    static final class Dispatcher implements RequestDispatcher {

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
}
