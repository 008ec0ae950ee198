package dev.pier.blocking;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each request handled in a separate OS process (socketserver's {@code ForkingMixIn}): whatever a handler changes
 * in memory never reaches the server or other requests, and a handler that crashes its process (an exception,
 * {@code System.exit}, even {@code kill -9}) costs only its own request.
 *
 * <p><b>How.</b> A JVM cannot fork itself safely, so Pier does what Python's multiprocessing calls "spawn": a child
 * is a new JVM running the same application. When that application builds the same server, the server notices it
 * is a child (environment variables {@code PIER_FORK_CHANNEL} and {@code PIER_FORK_SERVER}) and does not bind;
 * its {@link BaseServer#serveForever()} instead prepares the request path (runs once what a first request would run
 * for the first time, without the handler), connects to the parent over a private Unix socket, receives the
 * descriptor of one request ({@code SCM_RIGHTS}), runs it through the usual hooks ({@code finishRequest},
 * {@code handleError}, {@code shutdownRequest}) and exits: status 0, or 1 if the handler threw. With
 * {@link #withRequestsPerChild} it takes that many requests, one after the other, before it exits. For a stream server
 * the descriptor is the accepted connection; for a datagram server it is the server's own socket, with the datagram
 * and its sender alongside, so the child's reply leaves from the server's address as usual.
 *
 * <p>The parent keeps a few children {@linkplain #withWarmChildren warm} (started and waiting) so a request does
 * not wait for a JVM to start, starts a replacement as soon as a child is taken for its last request (at a steady
 * rate, as many as are taken during one child's start, so that the warm ones stay ready), caps the number of children ({@link #withMaxChildren}: at the cap it waits for one
 * to exit), reaps only the processes it started, and on {@link BaseServer#close()} waits for busy children within
 * a {@linkplain #withCloseGracePeriod grace period} before killing them. Nothing a child does changes the parent,
 * including {@link BaseServer#shutdown()}: stop a forking server from its own process.
 *
 * <pre>{@code
 * public static void main(String[] args) throws IOException {
 *     var options = ServerOptions.defaults().withConcurrency(Concurrency.forking().withMaxChildren(10));
 *     // in a child JVM this same line builds a server that does not bind...
 *     try (var server = new TcpServer("127.0.0.1", 8007, EchoHandler::new, options)) {
 *         server.serveForever();   // ...and serveForever handles one handed-over request, then exits the JVM
 *     }
 * }
 * }</pre>
 *
 * <p><b>Which program the child runs.</b> By default the child re-runs this JVM's own command line (same
 * {@code java}, JVM options, main class and arguments), so it must build its forking servers in the same order
 * ({@code PIER_FORK_SERVER} is the server's number among the forking servers the program creates). Whatever the
 * program does before it builds the server runs in every child too; a server with another strategy binds there as
 * usual, so a program that also runs such servers on fixed ports should name a child main instead. Where re-running
 * is wrong, such as under a test runner, name a main class with {@link #withChildMain}: the child then runs it on
 * the class path made of this JVM's module path and class path, and its first forking server becomes the child.
 * What the parent read before serving reaches the children as it was through {@link #keepForChildren}, as
 * {@code fork()} would give it to them.
 *
 * <p><b>What a client sees.</b> A child that finishes its request shuts the connection down as any server does. A
 * child that dies before (killed, crashed, past the close grace period) leaves the parent to close its copy of the
 * connection with a reset, so the client can tell a reply cut short from a whole one. Until it has connected to its
 * parent, a child's standard error goes to the parent, which logs what a child that could not start said; after
 * that, the child writes to the parent's standard error itself. Its standard output is the parent's.
 *
 * <p><b>Cost.</b> Every request costs a whole JVM. A child loads and links the request path before it says it is
 * ready, so a request handed to a warm child waits for little more than the handler's first run (on a loaded
 * two-core machine, a median of 8 ms from connect to the first byte through the {@code pier} launcher, where
 * Python's {@code ForkingTCPServer} took 12 ms). A JVM run with {@code --add-opens=java.base/sun.nio.ch=dev.pier},
 * as the launcher runs Pier, lets its children make the connection a channel as {@code accept} does; without it they
 * go through the JDK's inherited channel, whose first use costs some 30 ms more. A request that finds no warm child
 * also waits for a JVM to start (about 0.5
 * to 1.5 s there, with the default {@linkplain #withChildJvmOptions quick-start options}). Starting a JVM per
 * request also costs CPU: two cores start a few a second, so at a steady 20 requests a second the median there was
 * 150 to 440 ms with one request per child (Python: 57 to 123 ms), and 9 ms with
 * {@linkplain #withRequestsPerChild 20 requests per child}.
 * So this suits requests that need isolation more than throughput. Linux only; the JVM needs
 * {@code --enable-native-access=dev.pier} and {@code --add-exports=java.base/sun.nio.ch=dev.pier}.
 */
public final class Forking implements Concurrency {

    /** How long {@link BaseServer#close()} waits for busy children by default. */
    public static final Duration DEFAULT_CLOSE_GRACE_PERIOD = Duration.ofSeconds(10);

    /** How long a child may take to start and connect to its parent by default. */
    public static final Duration DEFAULT_CHILD_START_TIMEOUT = Duration.ofSeconds(60);

    /** Options that make a short-lived JVM start quickly: class data sharing, the C1 compiler only, Serial GC. */
    public static final List<String> QUICK_START_OPTIONS =
            List.of("-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData");

    static final String KEPT_DIRECTORY = "kept";
    private static final Map<String, byte[]> KEPT_FOR_CHILDREN = new ConcurrentHashMap<>();

    static final Forking DEFAULT = new Forking(2, 40, DEFAULT_CLOSE_GRACE_PERIOD, DEFAULT_CHILD_START_TIMEOUT,
            QUICK_START_OPTIONS, null, List.of(), 1);

    private final int warmChildren;
    private final int maxChildren;
    private final Duration closeGracePeriod;
    private final Duration childStartTimeout;
    private final List<String> childJvmOptions;
    private final Class<?> childMain;
    private final List<String> childArguments;
    private final int requestsPerChild;

    private Forking(int warmChildren, int maxChildren, Duration closeGracePeriod, Duration childStartTimeout,
                    List<String> childJvmOptions, Class<?> childMain, List<String> childArguments,
                    int requestsPerChild) {
        this.warmChildren = warmChildren;
        this.maxChildren = maxChildren;
        this.closeGracePeriod = closeGracePeriod;
        this.childStartTimeout = childStartTimeout;
        this.childJvmOptions = childJvmOptions;
        this.childMain = childMain;
        this.childArguments = childArguments;
        this.requestsPerChild = requestsPerChild;
    }

    /**
     * How many started children wait for a request (default 2); 0 starts a JVM only when a request comes. Warm
     * children count towards {@link #withMaxChildren the cap}.
     */
    public Forking withWarmChildren(int warmChildren) {
        if (warmChildren < 0) {
            throw new IllegalArgumentException("warmChildren must be 0 or positive, got " + warmChildren);
        }
        return new Forking(warmChildren, maxChildren, closeGracePeriod, childStartTimeout, childJvmOptions, childMain,
                childArguments, requestsPerChild);
    }

    /**
     * The most child processes alive at once, warm ones included (default 40, as socketserver's
     * {@code max_children}); at the cap the server waits for a child to exit before handing out the next request.
     */
    public Forking withMaxChildren(int maxChildren) {
        if (maxChildren < 1) {
            throw new IllegalArgumentException("maxChildren must be positive, got " + maxChildren);
        }
        return new Forking(warmChildren, maxChildren, closeGracePeriod, childStartTimeout, childJvmOptions, childMain,
                childArguments, requestsPerChild);
    }

    /** The longest {@link BaseServer#close()} waits for busy children before killing them (default 10 seconds). */
    public Forking withCloseGracePeriod(Duration closeGracePeriod) {
        Objects.requireNonNull(closeGracePeriod, "closeGracePeriod");
        if (closeGracePeriod.isNegative()) {
            throw new IllegalArgumentException("closeGracePeriod must not be negative, got " + closeGracePeriod);
        }
        return new Forking(warmChildren, maxChildren, closeGracePeriod, childStartTimeout, childJvmOptions, childMain,
                childArguments, requestsPerChild);
    }

    /**
     * The longest a child may take from its start until it connects to the server and is ready for a request
     * (default 60 seconds). One that takes longer, say because its program waits for something before it builds
     * the server, is killed, and a request waiting for it fails through {@link BaseServer#handleError}.
     */
    public Forking withChildStartTimeout(Duration childStartTimeout) {
        Objects.requireNonNull(childStartTimeout, "childStartTimeout");
        if (childStartTimeout.isNegative() || childStartTimeout.isZero()) {
            throw new IllegalArgumentException("childStartTimeout must be positive, got " + childStartTimeout);
        }
        return new Forking(warmChildren, maxChildren, closeGracePeriod, childStartTimeout, childJvmOptions, childMain,
                childArguments, requestsPerChild);
    }

    /**
     * JVM options for the children, placed before the ones the child inherits (so those win); default
     * {@link #QUICK_START_OPTIONS}. A collector option is left out when the inherited options choose a collector.
     */
    public Forking withChildJvmOptions(String... options) {
        return new Forking(warmChildren, maxChildren, closeGracePeriod, childStartTimeout, List.of(options), childMain,
                childArguments, requestsPerChild);
    }

    /**
     * Runs {@code mainClass} with {@code arguments} in the children instead of re-running this JVM's command line.
     * The class must build this server, with forking concurrency, as the first forking server it creates, and call
     * {@code serveForever()}; it runs on the class path made of this JVM's module path and class path.
     */
    public Forking withChildMain(Class<?> mainClass, String... arguments) {
        Objects.requireNonNull(mainClass, "mainClass");
        return new Forking(warmChildren, maxChildren, closeGracePeriod, childStartTimeout, childJvmOptions, mainClass,
                List.of(arguments), requestsPerChild);
    }

    /**
     * How many requests a child handles, one after the other, before it exits (default 1: a fresh process for every
     * request, as socketserver's {@code ForkingMixIn}). More spreads the cost of starting a JVM over that many
     * requests, as Apache's {@code MaxConnectionsPerChild} and gunicorn's {@code max_requests} do: a request then
     * rarely waits for a JVM to start, and the machine starts fewer. The price is isolation: what a handler leaves
     * behind in its process (a static field, a leak, a thread) is there for the next requests of that child, and a
     * child that crashes takes only its current request but its memory grows with what the requests before left. A
     * child still serves one request at a time. Such children need the JDK's {@code java.base/sun.nio.ch} package
     * opened to Pier to take more than one connection: the server adds
     * {@code --add-opens=java.base/sun.nio.ch=dev.pier} to their command line unless it is there already; put it
     * on your own command line too when the JVM uses an ahead-of-time cache, which applies only to a JVM with the
     * same module options as the one that made it.
     */
    public Forking withRequestsPerChild(int requestsPerChild) {
        if (requestsPerChild < 1) {
            throw new IllegalArgumentException("requestsPerChild must be positive, got " + requestsPerChild);
        }
        return new Forking(warmChildren, maxChildren, closeGracePeriod, childStartTimeout, childJvmOptions, childMain,
                childArguments, requestsPerChild);
    }

    /**
     * Whether this JVM is a child that a forking server started to handle one request: a program that re-runs in
     * its children can use this to skip what only the parent should do, such as printing a banner.
     */
    public static boolean isForkedChild() {
        return System.getenv(ForkingDispatcher.CONTROL_SOCKET_VARIABLE) != null;
    }

    /**
     * Keeps {@code data} for this program's forked children, as {@code fork()} would: what the parent read before
     * serving (a file's content, say) reaches every child as it was then, even if the file changes or goes away, and
     * children need not read it again. Call it before the forking server starts serving; a child reads it with
     * {@link #keptByParent}. The array is not copied: leave it unchanged.
     */
    public static void keepForChildren(String name, byte[] data) {
        KEPT_FOR_CHILDREN.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(data, "data"));
    }

    /**
     * In a forked child, the data its parent kept under {@code name} with {@link #keepForChildren}; empty in a
     * parent, or when the parent kept nothing under that name.
     */
    public static Optional<byte[]> keptByParent(String name) {
        String controlSocket = System.getenv(ForkingDispatcher.CONTROL_SOCKET_VARIABLE);
        if (controlSocket == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.readAllBytes(keptFile(Path.of(controlSocket).resolveSibling(KEPT_DIRECTORY),
                    name)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read what the parent kept as '" + name + "'", e);
        }
    }

    /** Writes what {@link #keepForChildren} kept into {@code directory}, one file per name. */
    static void writeKept(Path directory) throws IOException {
        Path kept = Files.createDirectory(directory.resolve(KEPT_DIRECTORY));
        for (Map.Entry<String, byte[]> entry : KEPT_FOR_CHILDREN.entrySet()) {
            Files.write(keptFile(kept, entry.getKey()), entry.getValue());
        }
    }

    /** Named by a digest of {@code name}: any name, however long or odd, makes a valid file name. */
    private static Path keptFile(Path kept, String name) {
        try {
            return kept.resolve(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(name.getBytes(UTF_8))));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    public int warmChildren() {
        return warmChildren;
    }

    public int maxChildren() {
        return maxChildren;
    }

    public Duration closeGracePeriod() {
        return closeGracePeriod;
    }

    public Duration childStartTimeout() {
        return childStartTimeout;
    }

    public List<String> childJvmOptions() {
        return childJvmOptions;
    }

    /** The main class children run, or {@code null} when they re-run this JVM's command line. */
    public Class<?> childMain() {
        return childMain;
    }

    public List<String> childArguments() {
        return childArguments;
    }

    public int requestsPerChild() {
        return requestsPerChild;
    }

    @Override
    public String toString() {
        return "forking(warm " + warmChildren + ", max " + maxChildren
                + (requestsPerChild == 1 ? "" : ", " + requestsPerChild + " requests per child") + ")";
    }
}
