package dev.pier.app.poetry;

import java.io.PrintStream;
import java.util.List;

/**
 * Reports a poetry client's progress on stderr: on a terminal, one line rewritten in place
 * ({@code Task 1: 120 bytes | Task 2: done, 653 bytes}); elsewhere, a plain line per event
 * ({@code Task 1: got 10 bytes of poetry from 127.0.0.1:10000}). Called on the loop thread only.
 */
abstract sealed class Progress {

    final PrintStream err;
    final List<String> servers;

    private Progress(PrintStream err, List<String> servers) {
        this.err = err;
        this.servers = servers;
    }

    static Progress to(PrintStream err, boolean terminal, List<String> servers) {
        return terminal ? new Live(err, servers) : new Plain(err, servers);
    }

    abstract void received(int task, int bytes, long total);

    abstract void finished(int task, int total);

    abstract void failed(int task, String why);

    /** A line of its own, e.g. a warning. */
    abstract void note(String line);

    /** All tasks ended. */
    void done() {}

    private static final class Plain extends Progress {
        Plain(PrintStream err, List<String> servers) {
            super(err, servers);
        }

        @Override
        void received(int task, int bytes, long total) {
            err.println("Task " + task + ": got " + bytes + " bytes of poetry from " + servers.get(task - 1));
        }

        @Override
        void finished(int task, int total) {
            err.println("Task " + task + ": poem done, " + total + " bytes from " + servers.get(task - 1));
        }

        @Override
        void failed(int task, String why) {
            err.println("Task " + task + ": failed to get a poem from " + servers.get(task - 1) + ": " + why);
        }

        @Override
        void note(String line) {
            err.println(line);
        }
    }

    private static final class Live extends Progress {
        private final String[] states;

        Live(PrintStream err, List<String> servers) {
            super(err, servers);
            states = new String[servers.size()];
            java.util.Arrays.fill(states, "connecting");
        }

        @Override
        void received(int task, int bytes, long total) {
            states[task - 1] = total + " bytes";
            redraw();
        }

        @Override
        void finished(int task, int total) {
            states[task - 1] = "done, " + total + " bytes";
            redraw();
        }

        @Override
        void failed(int task, String why) {
            states[task - 1] = "failed";
            note("Task " + task + ": failed to get a poem from " + servers.get(task - 1) + ": " + why);
        }

        @Override
        void note(String line) {
            err.print("\r\033[K" + line + "\n");
            redraw();
        }

        @Override
        void done() {
            err.print("\n");
            err.flush();
        }

        private void redraw() {
            StringBuilder line = new StringBuilder("\r\033[K");
            for (int i = 0; i < states.length; i++) {
                line.append(i == 0 ? "" : " | ").append("Task ").append(i + 1).append(": ").append(states[i]);
            }
            err.print(line);
            err.flush();
        }
    }
}
