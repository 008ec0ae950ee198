package dev.pier.app.cli;

import java.net.InetAddress;
import java.net.UnknownHostException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** Checks of option values shared by the commands; a bad value is a usage error (exit status 2). */
public final class OptionChecks {

    private OptionChecks() {}

    /** {@code port}, if it is a valid port number or 0 (any free port). */
    public static int port(CommandSpec spec, int port) {
        if (port < 0 || port > 65535) {
            throw new ParameterException(spec.commandLine(), "--port must be between 0 and 65535, not " + port);
        }
        return port;
    }

    /** {@code iface}, if it names an address this machine can look up. */
    public static String iface(CommandSpec spec, String iface) {
        try {
            InetAddress.getByName(iface);
            return iface;
        } catch (UnknownHostException e) {
            throw new ParameterException(spec.commandLine(), "--iface: unknown host '" + iface + "'");
        }
    }
}
