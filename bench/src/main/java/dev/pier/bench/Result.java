package dev.pier.bench;

import org.HdrHistogram.Histogram;

/**
 * What one run of a load measured.
 *
 * @param operations the operations completed inside the measured window (echoes, poems, datagrams, connections
 *                   served, bytes streamed, starts)
 * @param seconds    the length of the measured window
 * @param latency    the time each measured operation took, in nanoseconds
 * @param errors     what went wrong: connections refused or reset, short poems, lost datagrams, unserved clients
 * @param attempted  how many operations were attempted where that differs from {@code operations} (the idle
 *                   scenario's clients), else the same as {@code operations}
 * @param driverAllocationPerOperation bytes the driver's selector loops allocated per operation, warm-up included
 *                   (the check that the hot path allocates nothing); NaN where not measured
 */
public record Result(long operations, double seconds, Histogram latency, long errors, long attempted,
                     double driverAllocationPerOperation) {

    /** A result whose driver allocation was not measured. */
    Result(long operations, double seconds, Histogram latency, long errors, long attempted) {
        this(operations, seconds, latency, errors, attempted, Double.NaN);
    }

    static Histogram newHistogram() {
        return new Histogram(3_600_000_000_000L, 3);
    }

    public double perSecond() {
        return seconds > 0 ? operations / seconds : 0;
    }

    /** A latency percentile in microseconds, or NaN when nothing was measured. */
    public double latencyMicros(double percentile) {
        return latency.getTotalCount() == 0 ? Double.NaN : latency.getValueAtPercentile(percentile) / 1000.0;
    }

    public String summary() {
        return String.format("ops=%d seconds=%.3f rate=%.1f/s p50=%.1fus p99=%.1fus p99.9=%.1fus errors=%d",
                operations, seconds, perSecond(), latencyMicros(50), latencyMicros(99), latencyMicros(99.9), errors);
    }
}
