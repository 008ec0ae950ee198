package dev.pier.app.cli;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;

/** How log lines name a client: {@code 127.0.0.1:5555}, {@code [::1]:5555}, or a Unix client. */
public final class ClientNames {

    private ClientNames() {}

    public static String of(SocketAddress client) {
        return switch (client) {
            case InetSocketAddress inet -> (inet.getHostString().contains(":") ? "[" + inet.getHostString() + "]"
                    : inet.getHostString()) + ":" + inet.getPort();
            // A Unix client rarely binds its socket to a file: most have no name at all.
            case UnixDomainSocketAddress unix when unix.getPath().toString().isEmpty() -> "a unix client";
            case UnixDomainSocketAddress unix -> "unix:" + unix.getPath();
            case null -> "an unknown client";
            default -> client.toString();
        };
    }
}
