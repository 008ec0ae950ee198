package dev.pier.blocking;

import dev.pier.blocking.TestServers.Behaviour;
import dev.pier.blocking.TestServers.Kind;
import dev.pier.blocking.TestServers.Recorder;
import java.nio.file.Path;

/**
 * The program a forking test server's children run: it builds the same server as the test ({@link Kind} and
 * {@link Scripted} behaviour, by name) with forking concurrency, so that its {@code serveForever()} handles the one
 * request the test's server hands over.
 *
 * <p>Arguments: the server kind, the behaviour, and the test's directory (where Unix sockets live).
 */
public final class ForkedChildMain {

    /** Behaviours a child can rebuild by name; the handler's state lives in the child's memory only. */
    enum Scripted implements Behaviour {
        ECHO {
            @Override
            public String reply(String line, BaseServer<?> server) {
                return line;
            }
        },
        /** Throws an ordinary exception for "boom", echoes anything else. */
        FAIL_ON_BOOM {
            @Override
            public String reply(String line, BaseServer<?> server) {
                if (line.equals("boom")) {
                    throw new IllegalStateException("boom");
                }
                return line;
            }
        },
        /** Throws an {@code Error} for "fatal", echoes anything else. */
        FATAL_ON_FATAL {
            @Override
            public String reply(String line, BaseServer<?> server) {
                if (line.equals("fatal")) {
                    throw new ServerMatrixTest.FatalError();
                }
                return line;
            }
        },
        SHUTDOWN_SERVER {
            @Override
            public String reply(String line, BaseServer<?> server) {
                server.shutdown();
                return "stopping";
            }
        },
        CLOSE_SERVER {
            @Override
            public String reply(String line, BaseServer<?> server) {
                server.close();
                return "closing";
            }
        },
        /**
         * "address": the server's address as the child sees it; "child": whether it knows it is a forked child;
         * "exit": System.exit(7); "kept NAME": what the parent kept for its children under NAME (or "none");
         * "descriptors": how many descriptors the child has open; anything else: the child's pid.
         */
        PROCESS {
            @Override
            public String reply(String line, BaseServer<?> server) {
                return switch (line) {
                    case "address" -> server.address().toString();
                    case "child" -> Boolean.toString(Forking.isForkedChild());
                    case "descriptors" -> {
                        try (var open = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
                            yield Long.toString(open.count());
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }
                    case "exit" -> {
                        System.exit(7);
                        yield "not reached";
                    }
                    default -> line.startsWith("kept ")
                            ? Forking.keptByParent(line.substring(5)).map(String::new).orElse("none")
                            : Long.toString(ProcessHandle.current().pid());
                };
            }
        },
        /** Counts the lines it has seen in a static field, which a new process starts at 0 again. */
        STATIC_COUNTER {
            @Override
            public String reply(String line, BaseServer<?> server) {
                return Integer.toString(++counter);
            }
        };

        static int counter;
    }

    /** The file, in the test's directory, where children record the errors their handleError saw. */
    static final String JOURNAL = "child-errors.txt";

    /** The strategy a test passes to its server, so that children rebuild that server. */
    static Forking forServer(Forking forking, Kind kind, Behaviour behaviour, Path dir) {
        if (!(behaviour instanceof Scripted scripted)) {
            throw new IllegalArgumentException("a forking test server needs a behaviour its children can rebuild:"
                    + " one of ForkedChildMain.Scripted, not " + behaviour);
        }
        return forking.withChildMain(ForkedChildMain.class, kind.name(), scripted.name(), dir.toString());
    }

    private ForkedChildMain() {
    }

    public static void main(String[] args) throws Exception {
        Kind kind = Kind.valueOf(args[0]);
        Behaviour behaviour = Scripted.valueOf(args[1]);
        var options = ServerOptions.defaults().withConcurrency(Concurrency.forking());
        Path dir = Path.of(args[2]);
        try (BaseServer<?> server = kind.create(behaviour, new Recorder(dir.resolve(JOURNAL)), options, dir)) {
            server.serveForever();
        }
    }
}
