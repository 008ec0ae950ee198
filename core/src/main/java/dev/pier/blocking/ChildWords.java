package dev.pier.blocking;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Arrays;

/**
 * What a child JVM writes on its standard error before it connects to its parent: the JVM's own complaint about an
 * option, a program's usage error. Read to the end as it comes, so the child never blocks on a full pipe; only the
 * last {@value #KEPT_BYTES} bytes are kept, enough for the line that says why it could not start.
 */
final class ChildWords {

    private static final int KEPT_BYTES = 2048;
    /** A child that exited has closed its end: what it wrote is there at once, unless a process it left holds it. */
    private static final Duration EXITED_CHILD_WAIT = Duration.ofSeconds(2);

    private final byte[] kept = new byte[KEPT_BYTES];
    private int length;            // guarded by this
    private final Thread reader;

    private ChildWords(InputStream stream) {
        reader = Thread.ofVirtual().name("pier-fork-stderr").start(() -> readToEnd(stream));
    }

    static ChildWords readFrom(Process process) {
        return new ChildWords(process.getErrorStream());
    }

    private void readToEnd(InputStream stream) {
        byte[] chunk = new byte[KEPT_BYTES];
        try (stream) {
            for (int n; (n = stream.read(chunk)) >= 0; ) {
                keep(chunk, n);
            }
        } catch (IOException e) {
            // The pipe broke: what was read so far is all there is.
        }
    }

    private synchronized void keep(byte[] chunk, int n) {
        if (n >= KEPT_BYTES) {
            System.arraycopy(chunk, n - KEPT_BYTES, kept, 0, KEPT_BYTES);
            length = KEPT_BYTES;
            return;
        }
        int drop = Math.max(0, length + n - KEPT_BYTES);
        System.arraycopy(kept, drop, kept, 0, length - drop);
        System.arraycopy(chunk, 0, kept, length - drop, n);
        length = length - drop + n;
    }

    /** What the child said, on one line; call once it has exited. */
    String said() {
        try {
            reader.join(EXITED_CHILD_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String text;
        synchronized (this) {
            text = new String(Arrays.copyOf(kept, length), UTF_8);
        }
        return text.strip().replaceAll("\\s*\\R\\s*", "; ");
    }
}
