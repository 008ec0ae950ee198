package dev.pier.binding;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.Locale;

/**
 * The one wording of "address already in use", with what to do about it for each kind of address: a port, a socket
 * file, an abstract Unix name. Every message is one line.
 */
public final class BindFailures {

    private BindFailures() {
    }

    /** Whether {@code failure} is the system's "address already in use". */
    public static boolean isAddressInUse(Throwable failure) {
        return failure instanceof BindException
                && String.valueOf(failure.getMessage()).toLowerCase(Locale.ROOT).contains("in use");
    }

    /** "address already in use (what to do)", for {@code address}. */
    public static String addressInUse(SocketAddress address) {
        return "address already in use (" + advice(address) + ")";
    }

    /** Why binding {@code address} failed: {@link #addressInUse} if it is in use, else the system's words. */
    public static String reason(SocketAddress address, IOException failure) {
        return isAddressInUse(failure) ? addressInUse(address) : String.valueOf(failure.getMessage());
    }

    /** "cannot bind ADDRESS: reason", the cause kept. */
    public static BindException failure(SocketAddress address, BindException cause) {
        var failure = new BindException("cannot bind " + address + ": " + reason(address, cause));
        failure.initCause(cause);
        return failure;
    }

    private static String advice(SocketAddress address) {
        return switch (address) {
            case InetSocketAddress _ ->
                    "another program listens there: stop it or choose another port, or port 0 for any free port";
            case UnixDomainSocketAddress _ ->
                    "another socket is bound there, or a stale socket file remains: if no server uses it, delete it";
            case null, default -> "another socket holds this abstract name: stop it or choose another name";
        };
    }
}
