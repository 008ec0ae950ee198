package dev.pier.bench;

/**
 * One run of one scenario against one peer, with what the server spent on it.
 *
 * @param cpuSeconds       server CPU time (user + system, with children) over the measured window; NaN if unknown
 * @param driverCpuSeconds the load driver's CPU time over the same window; NaN if unknown
 * @param peakRssBytes the server's peak resident memory so far (VmHWM)
 */
record Sample(Scenario scenario, String peer, int round, Result result, double cpuSeconds, double driverCpuSeconds,
              long peakRssBytes) {

    /** The scenario's headline figure, in {@link Scenario#unit}. */
    double figure() {
        return switch (scenario) {
            case IDLE -> peakRssBytes / (1024.0 * 1024.0);
            case STREAM -> result.seconds() > 0 ? result.operations() / result.seconds() / 1e6 : 0;
            case STARTUP, FORKING_WARM, FORKING_STEADY -> result.latencyMicros(50) / 1000.0;
            case ECHO_LATENCY -> result.latencyMicros(99);
            default -> result.perSecond();
        };
    }

    /** Server CPU microseconds per {@link Scenario#operation()}, or NaN. */
    double cpuMicrosPerOperation() {
        return perOperation(cpuSeconds);
    }

    /** Driver CPU microseconds per {@link Scenario#operation()}, or NaN. */
    double driverCpuMicrosPerOperation() {
        return perOperation(driverCpuSeconds);
    }

    private double perOperation(double seconds) {
        double operations = scenario == Scenario.STREAM ? result.operations() / 1e6 : result.operations();
        return operations > 0 ? seconds * 1e6 / operations : Double.NaN;
    }

    /**
     * Whether the run has no figure: nothing done, or where the figure is a latency, nothing timed (a timed-out
     * request of the steady forking load is timed, as a lower bound).
     */
    boolean failed() {
        return switch (scenario) {
            case ECHO_LATENCY, FORKING_WARM, FORKING_STEADY -> result.latency().getTotalCount() == 0;
            default -> result.operations() == 0;
        };
    }
}
