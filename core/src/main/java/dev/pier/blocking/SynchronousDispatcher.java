package dev.pier.blocking;

/** Runs each request on the serving thread. */
final class SynchronousDispatcher implements RequestDispatcher {

    @Override
    public void dispatch(RequestJob job) {
        job.handle().run();
    }

    @Override
    public void close() {
    }
}
