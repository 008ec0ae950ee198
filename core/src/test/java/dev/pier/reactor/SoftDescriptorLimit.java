package dev.pier.reactor;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Lowers this process's soft limit on open files (Linux {@code setrlimit(RLIMIT_NOFILE)}) so that a test can fill
 * the descriptor table with a few dozen handles, whatever the machine's limit; {@link #close()} restores it.
 */
final class SoftDescriptorLimit implements AutoCloseable {

    private static final int RLIMIT_NOFILE = 7;   // on Linux x86_64 and aarch64
    private static final MethodHandle GETRLIMIT = libc("getrlimit");
    private static final MethodHandle SETRLIMIT = libc("setrlimit");

    private final long originalSoft;
    private final long hard;

    private SoftDescriptorLimit(long originalSoft, long hard) {
        this.originalSoft = originalSoft;
        this.hard = hard;
    }

    /** Sets the soft limit just above the highest descriptor now open, leaving {@code spare} numbers free above it. */
    static SoftDescriptorLimit leaving(int spare) throws IOException {
        long highest;
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            highest = fds.mapToLong(fd -> Long.parseLong(fd.getFileName().toString())).max().orElse(0);
        }
        long[] current = get();
        set(highest + 1 + spare, current[1]);
        return new SoftDescriptorLimit(current[0], current[1]);
    }

    @Override
    public void close() {
        set(originalSoft, hard);
    }

    private static long[] get() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment limit = arena.allocate(16);
            check((int) GETRLIMIT.invokeExact(RLIMIT_NOFILE, limit), "getrlimit");
            return new long[] {limit.get(JAVA_LONG, 0), limit.get(JAVA_LONG, 8)};
        } catch (Throwable e) {
            throw new IllegalStateException("getrlimit failed: " + e, e);
        }
    }

    private static void set(long soft, long hard) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment limit = arena.allocate(16);
            limit.set(JAVA_LONG, 0, soft);
            limit.set(JAVA_LONG, 8, hard);
            check((int) SETRLIMIT.invokeExact(RLIMIT_NOFILE, limit), "setrlimit");
        } catch (Throwable e) {
            throw new IllegalStateException("setrlimit failed: " + e, e);
        }
    }

    private static void check(int result, String call) {
        if (result != 0) {
            throw new IllegalStateException(call + " returned " + result);
        }
    }

    private static MethodHandle libc(String name) {
        Linker linker = Linker.nativeLinker();
        return linker.downcallHandle(linker.defaultLookup().find(name).orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    }
}
