package dev.pier.jfr;

import java.net.SocketAddress;
import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * A request of a blocking server was handled, from its handler's start to the request's shutdown; the event's
 * duration is that time.
 *
 * <p>Use: {@code new RequestHandled()}, {@code begin()}, and when done {@code end()} then {@link #commit(SocketAddress,
 * boolean)} if {@code shouldCommit()}.
 */
@Name("dev.pier.RequestHandled")
@Label("Request Handled")
@Description("A blocking server handled a request; the duration covers the handler and the request's shutdown")
@Category({"Pier"})
@StackTrace(false)
public final class RequestHandled extends jdk.jfr.Event {

    @Label("Client Address")
    String clientAddress;

    @Label("Failed")
    @Description("Whether the handler threw")
    boolean failed;

    /** Fills in and commits an event that {@code shouldCommit()}. */
    public void commit(SocketAddress client, boolean failed) {
        this.clientAddress = String.valueOf(client);
        this.failed = failed;
        commit();
    }
}
