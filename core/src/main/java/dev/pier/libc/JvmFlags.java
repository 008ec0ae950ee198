package dev.pier.libc;

import java.lang.foreign.MemorySegment;

/**
 * Checks for the two JVM flags Pier's native parts need, made where a server or socket is built, so that a JVM
 * started without them fails at once with the flag to add, rather than after its ready line, on every request.
 */
public final class JvmFlags {

    private static final Module PIER = JvmFlags.class.getModule();
    /** The flags name the module, or every class on the class path when Pier runs there. */
    private static final String TARGET = PIER.isNamed() ? PIER.getName() : "ALL-UNNAMED";
    private static final String WHERE = " (on the module path name dev.pier, on the class path ALL-UNNAMED)";

    private static volatile boolean nativeAccessChecked;

    private JvmFlags() {}

    /**
     * Fails unless this JVM lets {@code what} read a channel's descriptor, which the JDK keeps in
     * {@code sun.nio.ch}.
     *
     * @throws IllegalStateException naming {@code --add-exports=java.base/sun.nio.ch=...}
     */
    public static void requireChannelDescriptors(String what) {
        if (!Object.class.getModule().isExported("sun.nio.ch", PIER)) {
            throw new IllegalStateException(what + " needs the JVM flag --add-exports=java.base/sun.nio.ch=" + TARGET
                    + WHERE);
        }
    }

    /**
     * Fails when this JVM denies Pier calls into the C library ({@code --illegal-native-access=deny}, the
     * default of JDK releases to come). Where the JVM only warns, the warning it prints names the flag, and the
     * call goes through.
     *
     * @throws IllegalStateException naming {@code --enable-native-access=...}
     */
    public static void requireNativeAccess(String what) {
        if (nativeAccessChecked || PIER.isNativeAccessEnabled()) {
            return;
        }
        try {
            MemorySegment.NULL.reinterpret(0);   // the cheapest restricted method: the JVM decides as for a C call
        } catch (IllegalCallerException e) {
            throw new IllegalStateException(what + " needs the JVM flag --enable-native-access=" + TARGET + WHERE, e);
        }
        nativeAccessChecked = true;
    }
}
