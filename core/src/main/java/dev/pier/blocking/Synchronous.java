package dev.pier.blocking;

/** {@link Concurrency#synchronous()}. */
final class Synchronous implements Concurrency {

    static final Synchronous INSTANCE = new Synchronous();

    private Synchronous() {
    }

    @Override
    public String toString() {
        return "synchronous";
    }
}
