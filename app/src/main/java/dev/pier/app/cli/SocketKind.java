package dev.pier.app.cli;

import java.util.Locale;

/** The transports a pier server can listen on, named as on the command line and in endpoint descriptions. */
public enum SocketKind {
    TCP(true, false),
    UDP(false, false),
    UNIX(true, true),
    UNIXGRAM(false, true);

    private final boolean stream;
    private final boolean unixDomain;

    SocketKind(boolean stream, boolean unixDomain) {
        this.stream = stream;
        this.unixDomain = unixDomain;
    }

    /** True for connection-oriented transports (tcp, unix), false for datagram ones (udp, unixgram). */
    public boolean isStream() {
        return stream;
    }

    /** True when the address is a socket file path rather than an interface and port. */
    public boolean isUnixDomain() {
        return unixDomain;
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
