package dev.pier.bench;

import java.time.Duration;

/**
 * How hard and how long the instrument pushes.
 *
 * @param warmup          load before the measured window of each timed run, not counted
 * @param duration        the measured window of each timed run
 * @param runs            runs per peer and scenario (peers alternate; the figure is the median)
 * @param threads         selector loops in the driver
 * @param echoConnections connections of the echo ping-pong
 * @param messageSize     bytes per echo message and per datagram
 * @param poetryClients   concurrent clients of the fast poetry scenario
 * @param poemBytes       size of the poem the poetry servers send
 * @param udpSenders      concurrent senders of the UDP echo
 * @param idleConnections connections held open by the idle scenario
 * @param idleRuns        runs per peer of the idle scenario, whose peak memory varies little from run to run while
 *                        a thread-per-connection server may take half a minute per run
 * @param streamBytes     bytes streamed through the echo by the streaming scenario
 * @param starts          starts per peer of the startup scenario
 * @param latencyRuns     runs per peer of the open-loop echo latency scenario, which runs every peer at one rate
 * @param offeredShare    the share of {@code netty-epoll}'s peak echo rate the latency scenario offers every peer
 * @param offeredRate     echoes per second the latency scenario offers; 0 until the run has measured Netty's peak
 * @param forkingRuns     runs per peer of the forking scenarios, whose requests each cost a process
 * @param forkingRequests sequential requests per run of the warm-child scenario
 * @param forkingPause    the pause before each of those requests, long enough for a server to ready a child
 * @param forkingRate     connections per second of the steady forking scenario
 * @param forkingSteady   the measured window of the steady forking scenario
 * @param smoke           whether this is a short run that only proves the instrument works
 */
record Settings(Duration warmup, Duration duration, int runs, int threads, int echoConnections, int messageSize,
                int poetryClients, int poemBytes, int udpSenders, int idleConnections, int idleRuns,
                long streamBytes, int starts, int latencyRuns, double offeredShare, double offeredRate,
                int forkingRuns, int forkingRequests, Duration forkingPause, double forkingRate,
                Duration forkingSteady, boolean smoke) {

    /**
     * Sized to run every scenario against every peer in under fifteen minutes on two cores: more short runs rather
     * than fewer long ones, since runs differ more from one another than a run does from itself.
     */
    static Settings defaults() {
        return new Settings(Duration.ofSeconds(1), Duration.ofSeconds(2), 4, cores(),
                100, 64, 50, 3 * 1024, 50, 10_000, 1, 1L << 30, 10,
                3, 0.5, 0, 2, 5, Duration.ofSeconds(1), 20, Duration.ofSeconds(4), false);
    }

    /** A few seconds per scenario: proves everything runs, measures nothing worth quoting. */
    static Settings smokeDefaults() {
        return new Settings(Duration.ofMillis(500), Duration.ofSeconds(1), 1, cores(),
                100, 64, 50, 3 * 1024, 50, 2_000, 1, 64L << 20, 3,
                1, 0.5, 0, 1, 3, Duration.ofSeconds(1), 20, Duration.ofSeconds(2), true);
    }

    private static int cores() {
        return Runtime.getRuntime().availableProcessors();
    }

    Settings withRuns(int value) {
        return new Settings(warmup, duration, value, threads, echoConnections, messageSize, poetryClients, poemBytes,
                udpSenders, idleConnections, idleRuns, streamBytes, starts, latencyRuns, offeredShare, offeredRate,
                forkingRuns, forkingRequests, forkingPause, forkingRate, forkingSteady, smoke);
    }

    Settings withTiming(Duration warmupValue, Duration durationValue) {
        return new Settings(warmupValue, durationValue, runs, threads, echoConnections, messageSize, poetryClients,
                poemBytes, udpSenders, idleConnections, idleRuns, streamBytes, starts, latencyRuns, offeredShare,
                offeredRate, forkingRuns, forkingRequests, forkingPause, forkingRate, forkingSteady, smoke);
    }

    Settings withThreads(int value) {
        return new Settings(warmup, duration, runs, value, echoConnections, messageSize, poetryClients, poemBytes,
                udpSenders, idleConnections, idleRuns, streamBytes, starts, latencyRuns, offeredShare, offeredRate,
                forkingRuns, forkingRequests, forkingPause, forkingRate, forkingSteady, smoke);
    }

    Settings withIdleRuns(int value) {
        return new Settings(warmup, duration, runs, threads, echoConnections, messageSize, poetryClients, poemBytes,
                udpSenders, idleConnections, value, streamBytes, starts, latencyRuns, offeredShare, offeredRate,
                forkingRuns, forkingRequests, forkingPause, forkingRate, forkingSteady, smoke);
    }

    Settings withLatencyRuns(int value) {
        return new Settings(warmup, duration, runs, threads, echoConnections, messageSize, poetryClients, poemBytes,
                udpSenders, idleConnections, idleRuns, streamBytes, starts, value, offeredShare, offeredRate,
                forkingRuns, forkingRequests, forkingPause, forkingRate, forkingSteady, smoke);
    }

    Settings withForkingRuns(int value) {
        return new Settings(warmup, duration, runs, threads, echoConnections, messageSize, poetryClients, poemBytes,
                udpSenders, idleConnections, idleRuns, streamBytes, starts, latencyRuns, offeredShare, offeredRate,
                value, forkingRequests, forkingPause, forkingRate, forkingSteady, smoke);
    }

    /** The same settings offering {@code value} echoes per second in the latency scenario. */
    Settings withOfferedRate(double value) {
        return new Settings(warmup, duration, runs, threads, echoConnections, messageSize, poetryClients, poemBytes,
                udpSenders, idleConnections, idleRuns, streamBytes, starts, latencyRuns, offeredShare, value,
                forkingRuns, forkingRequests, forkingPause, forkingRate, forkingSteady, smoke);
    }
}
