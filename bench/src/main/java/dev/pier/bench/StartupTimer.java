package dev.pier.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/** Process start to ready line: starts a server command repeatedly and times how long each takes to be ready. */
final class StartupTimer {

    private StartupTimer() {
    }

    /** The latency histogram holds each start; its median is the figure. */
    static Result run(List<String> command, Pattern readyLine, Path log, int starts) {
        var latency = Result.newHistogram();
        long errors = 0;
        long total = 0;
        for (int i = 0; i < starts; i++) {
            try (ServerProcess server = ServerProcess.start(command, readyLine, log)) {
                long elapsed = server.readyAfterNanos();
                latency.recordValue(elapsed);
                total += elapsed;
            } catch (IOException e) {
                System.err.println("start " + (i + 1) + " failed: " + e.getMessage());
                errors++;
            }
        }
        return new Result(latency.getTotalCount(), total / 1e9, latency, errors, starts);
    }
}
