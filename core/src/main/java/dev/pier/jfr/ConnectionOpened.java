package dev.pier.jfr;

import java.net.SocketAddress;
import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A stream connection (TCP or Unix) of a reactor was opened: accepted or connected. */
@Name("dev.pier.ConnectionOpened")
@Label("Connection Opened")
@Description("A reactor stream connection (TCP or Unix) was accepted or connected")
@Category({"Pier"})
@StackTrace(false)
public final class ConnectionOpened extends jdk.jfr.Event {

    @Label("Local Address")
    String localAddress;

    @Label("Remote Address")
    String remoteAddress;

    /** Records the event if it is enabled; the addresses are turned into strings only then. */
    public static void record(SocketAddress local, SocketAddress remote) {
        ConnectionOpened event = new ConnectionOpened();
        if (event.shouldCommit()) {
            event.localAddress = String.valueOf(local);
            event.remoteAddress = String.valueOf(remote);
            event.commit();
        }
    }
}
