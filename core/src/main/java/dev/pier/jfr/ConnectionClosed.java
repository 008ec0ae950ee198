package dev.pier.jfr;

import java.net.SocketAddress;
import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A stream connection (TCP or Unix) of a reactor was closed, cleanly or lost. */
@Name("dev.pier.ConnectionClosed")
@Label("Connection Closed")
@Description("A reactor stream connection (TCP or Unix) was closed; the reason is \"clean\" or what it was lost to")
@Category({"Pier"})
@StackTrace(false)
public final class ConnectionClosed extends jdk.jfr.Event {

    /** The reason of a clean close. */
    public static final String CLEAN = "clean";

    @Label("Local Address")
    String localAddress;

    @Label("Remote Address")
    String remoteAddress;

    @Label("Bytes Read")
    @DataAmount
    long bytesRead;

    @Label("Bytes Written")
    @DataAmount
    long bytesWritten;

    @Label("Reason")
    @Description("\"clean\" for an orderly close, else the cause of the loss")
    String reason;

    /**
     * Records the event if it is enabled; {@code cause} null means a clean close. The strings are built only when
     * the event is recorded.
     */
    public static void record(SocketAddress local, SocketAddress remote, long bytesRead, long bytesWritten,
                              Throwable cause) {
        ConnectionClosed event = new ConnectionClosed();
        if (event.shouldCommit()) {
            event.localAddress = String.valueOf(local);
            event.remoteAddress = String.valueOf(remote);
            event.bytesRead = bytesRead;
            event.bytesWritten = bytesWritten;
            event.reason = cause == null ? CLEAN
                    : cause.getMessage() != null ? cause.getMessage() : cause.getClass().getName();
            event.commit();
        }
    }
}
