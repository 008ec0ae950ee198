package dev.pier.app.cli;

/** The exit statuses of every pier command. */
public final class ExitStatus {

    /** Success, including a clean stop on SIGTERM or SIGINT. */
    public static final int OK = 0;
    /** The command started but failed: a busy address, an unreachable peer, an unexpected error. */
    public static final int FAILURE = 1;
    /** The command line was wrong: an unknown option, a bad value, a missing argument. */
    public static final int USAGE = 2;

    private ExitStatus() {}
}
