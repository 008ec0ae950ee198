package dev.pier.reactor.internal;

/**
 * The one rule for a callback that throws (a protocol's, a factory's, a timer's, a task's): a
 * {@link RuntimeException} or an {@link AssertionError} is the callback's own bug, so it is logged, only what the
 * callback served is closed, and the loop carries on. Any other {@link Error} stops the loop: a class that could not
 * be loaded stays missing for every later connection, and after running out of memory or stack nothing the loop
 * holds can be trusted.
 */
public final class Callbacks {

    private Callbacks() {
    }

    /** Whether the loop carries on after a callback threw {@code failure}. */
    public static boolean isRecoverable(Throwable failure) {
        return failure instanceof RuntimeException || failure instanceof AssertionError;
    }
}
