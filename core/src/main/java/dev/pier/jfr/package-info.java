/**
 * Java Flight Recorder events, in the category "Pier": connections of the event-driven model opened and closed,
 * event-loop passes that held the loop too long, and requests handled by the blocking model. Not exported: the
 * events are read from a recording ({@code jfr print --categories Pier}), not used as types.
 *
 * <p>Each event is created, checked with {@code isEnabled()} or {@code shouldCommit()}, and only then filled in, so a
 * disabled event costs a branch and builds no strings.
 */
package dev.pier.jfr;
