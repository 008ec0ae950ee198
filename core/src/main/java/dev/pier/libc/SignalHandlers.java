package dev.pier.libc;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandleProxies;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * The JDK's way to handle a POSIX signal without exiting: {@code sun.misc.Signal}, in module jdk.unsupported, which
 * is there for libraries like this one. Reached through method handles rather than an import, as javac and javadoc
 * warn about every import of it, and a warning fails the Javadoc build.
 */
public final class SignalHandlers {

    private static final Class<?> SIGNAL;
    private static final Class<?> SIGNAL_HANDLER;
    private static final MethodHandle NEW_SIGNAL;
    private static final MethodHandle HANDLE;
    private static final MethodHandle RUN;

    static {
        try {
            SIGNAL = Class.forName("sun.misc.Signal");
            SIGNAL_HANDLER = Class.forName("sun.misc.SignalHandler");
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            NEW_SIGNAL = lookup.findConstructor(SIGNAL, MethodType.methodType(void.class, String.class));
            HANDLE = lookup.findStatic(SIGNAL, "handle", MethodType.methodType(SIGNAL_HANDLER, SIGNAL,
                    SIGNAL_HANDLER));
            RUN = lookup.findVirtual(Runnable.class, "run", MethodType.methodType(void.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private SignalHandlers() {}

    /**
     * Runs {@code action} on a thread of the JVM's each time signal {@code name} ({@code "TERM"}, {@code "INT"})
     * arrives, instead of what happened before. Does nothing when the signal cannot reach this JVM's handlers: the
     * process ignores it (SIGINT in a background job of a non-interactive shell) or the JVM keeps it ({@code -Xrs}).
     */
    public static void handle(String name, Runnable action) {
        MethodHandle runAction = MethodHandles.dropArguments(RUN.bindTo(action), 0, SIGNAL);
        Object handler = MethodHandleProxies.asInterfaceInstance(SIGNAL_HANDLER, runAction);
        try {
            HANDLE.invoke(NEW_SIGNAL.invoke(name), handler);
        } catch (IllegalArgumentException ignoredOrReserved) {
            // Nothing can arrive, so there is nothing to handle.
        } catch (Throwable t) {
            throw new IllegalStateException("cannot handle SIG" + name + ": " + t, t);
        }
    }
}
