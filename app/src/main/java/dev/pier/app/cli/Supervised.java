package dev.pier.app.cli;

import dev.pier.unix.StopSignals;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * What a supervisor ({@code pier run --split}) tells the processes it runs, one word per line on their standard
 * input: {@value #STOP} (a first time: drain; a second: stop now) and {@value #REOPEN_LOG} (after a log rotation).
 * The end of that input means the supervisor is gone: the process stops. Signals play no part, so that one sent to
 * the whole group (systemd's SIGTERM to every process of a unit) reaches the supervisor alone.
 */
public final class Supervised {

    /** A stop, as a first and then a second stop signal would be. */
    public static final String STOP = "stop";
    /** Reopen the log file. */
    public static final String REOPEN_LOG = "reopen-log";

    private Supervised() {}

    /** Stop requests from the supervisor alone: stop signals are ignored from now on. */
    static StopSignals followSupervisor() {
        StopSignals stop = StopSignals.ignoringSignals();
        Thread.ofVirtual().name("pier-supervisor-words").start(() -> {
            try (BufferedReader words = new BufferedReader(
                    new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                for (String word; (word = words.readLine()) != null; ) {
                    if (word.equals(REOPEN_LOG)) {
                        LogSetup.reopen();
                    } else {
                        stop.requestStop();
                    }
                }
            } catch (IOException supervisorGone) {
                // As at the end of the input.
            }
            stop.requestStop();
        });
        return stop;
    }
}
