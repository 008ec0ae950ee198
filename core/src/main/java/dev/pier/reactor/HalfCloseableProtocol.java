package dev.pier.reactor;

/**
 * A {@link Protocol} that lives on after one direction of its connection closed. Without this interface, the
 * peer's end-of-stream closes the whole connection.
 */
public interface HalfCloseableProtocol extends Protocol {

    /** The peer sent end-of-stream; this side may still write. */
    void readConnectionLost();

    /** This side's output was shut down (by {@link Transport#shutdownOutput}); reading goes on. */
    default void writeConnectionLost() {}
}
