package dev.pier.blocking;

import java.net.BindException;
import java.net.SocketAddress;

/** Clear messages for failed binds. */
final class Bind {

    private Bind() {
    }

    static BindException failure(SocketAddress address, BindException cause) {
        String reason = cause.getMessage() == null ? "" : cause.getMessage();
        String message = reason.toLowerCase(java.util.Locale.ROOT).contains("already in use")
                ? "Cannot bind " + address + ": address already in use (another server has it; stop that server or"
                        + " choose another address, or port 0 for any free port)"
                : "Cannot bind " + address + ": " + reason;
        var failure = new BindException(message);
        failure.initCause(cause);
        return failure;
    }
}
