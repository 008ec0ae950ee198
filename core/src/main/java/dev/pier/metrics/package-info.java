/**
 * What servers of both models count as they serve, for metrics and health checks:
 * {@link dev.pier.metrics.ServerStatistics}, from {@code ListeningPort.statistics()} (the reactor) and
 * {@code BaseServer.statistics()} (the blocking model).
 */
package dev.pier.metrics;
