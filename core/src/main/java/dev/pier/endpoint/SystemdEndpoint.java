package dev.pier.endpoint;

import dev.pier.unix.Descriptors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channel;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A socket that systemd opened and passed to this process (socket activation), as Twisted spells it:
 * {@code systemd:domain=INET:index=N} (the N-th socket passed, descriptor {@code 3 + N}) or
 * {@code systemd:domain=INET:name=NAME} (the socket the unit names {@code FileDescriptorName=NAME}, as listed in
 * {@code LISTEN_FDNAMES}). The domain is {@code INET} or {@code INET6} for a TCP or UDP socket (either takes an IPv4
 * or IPv6 one), {@code UNIX} for a Unix stream socket; it may be left out, and is then {@code INET}. The description
 * does not say stream or datagram: the socket passed does ({@code ListenStream=} or {@code ListenDatagram=}), and
 * {@link #adoptSocket()} tells which it was.
 *
 * <p>The socket is taken over ({@link #adopt()}) only when served, not when parsed: {@code LISTEN_PID} must be this
 * process, {@code LISTEN_FDS} must count the socket. The JDK wraps an arbitrary descriptor in a channel only through
 * {@link System#inheritedChannel()}, once per JVM ({@link Descriptors#adoptAsInheritedChannel}): a process serves
 * one activated socket, and closing it points standard input, output and error at {@code /dev/null}
 * ({@link #restoreStandardStreams()} undoes that for output and error).
 *
 * @param domain {@code INET}, {@code INET6} or {@code UNIX}
 * @param index  the socket's position among those passed, from 0; -1 when chosen by {@code name}
 * @param name   the socket's name in {@code LISTEN_FDNAMES}; null when chosen by {@code index}
 */
public record SystemdEndpoint(String domain, int index, String name) implements ServerEndpoint {

    /** The domains a socket may be of. */
    public static final List<String> DOMAINS = List.of("INET", "INET6", "UNIX");

    /** The first descriptor systemd passes ({@code SD_LISTEN_FDS_START}). */
    public static final int FIRST_DESCRIPTOR = 3;

    private static final Object ADOPTION_LOCK = new Object();
    private static Adopted adopted;
    private static int savedOutput = -1;
    private static int savedError = -1;

    /** The socket taken over, and the endpoint that took it. */
    private record Adopted(SystemdEndpoint by, NetworkChannel channel) {}

    public SystemdEndpoint {
        Objects.requireNonNull(domain, "domain");
        if (!DOMAINS.contains(domain)) {
            throw new IllegalArgumentException("domain '" + domain + "' is not one of " + String.join(", ", DOMAINS)
                    + " (systemd: INET or INET6 for a TCP or UDP socket, UNIX for a Unix stream socket)");
        }
        if ((index < 0) == (name == null)) {
            throw new IllegalArgumentException("give either index or name, not " + (name == null ? "neither" : "both"));
        }
        if (index < -1) {
            throw new IllegalArgumentException("index " + index + " is negative");
        }
        if (name != null && (name.isEmpty() || name.contains(":"))) {
            throw new IllegalArgumentException("name '" + name + "' is not a systemd descriptor name");
        }
    }

    /** The {@code index}-th socket passed, of {@code domain}. */
    public static SystemdEndpoint ofIndex(String domain, int index) {
        if (index < 0) {
            throw new IllegalArgumentException("index " + index + " is negative");
        }
        return new SystemdEndpoint(domain, index, null);
    }

    /** The socket named {@code name} ({@code FileDescriptorName=}), of {@code domain}. */
    public static SystemdEndpoint ofName(String domain, String name) {
        return new SystemdEndpoint(domain, -1, Objects.requireNonNull(name, "name"));
    }

    /** Whether this is a Unix stream socket rather than a TCP one. */
    public boolean unix() {
        return domain.equals("UNIX");
    }

    /** The address the passed socket is bound at; adopts it. */
    @Override
    public SocketAddress socketAddress() {
        try {
            return adoptSocket().getLocalAddress();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** This endpoint: where systemd bound the socket is its business. */
    @Override
    public SystemdEndpoint bound(SocketAddress boundAddress) {
        return this;
    }

    /**
     * The endpoint of the passed socket as it is bound ({@code tcp:PORT:interface=HOST}, {@code udp:...} or
     * {@code unix:PATH}), to describe where it listens; adopts it. Serve it with {@link #adopt()} or
     * {@link #adoptDatagram()}, never by binding this again.
     */
    @Override
    public SocketEndpoint socket() {
        SocketAddress address = socketAddress();
        if (address instanceof InetSocketAddress inet) {
            String host = EndpointParser.hostString(inet.getAddress());
            return datagram() ? new UdpEndpoint(host, inet.getPort())
                    : new TcpEndpoint(host, inet.getPort(), ServerEndpoint.DEFAULT_BACKLOG);
        }
        return UnixEndpoint.of(((UnixDomainSocketAddress) address).getPath());
    }

    /**
     * The descriptor systemd passed for this endpoint, checked against this process's environment.
     *
     * @throws IllegalArgumentException when no socket was passed, or not this one (the message says which)
     */
    public int descriptor() {
        return descriptor(System.getenv(), ProcessHandle.current().pid());
    }

    int descriptor(Map<String, String> environment, long pid) {
        String fds = environment.get("LISTEN_FDS");
        String listenPid = environment.get("LISTEN_PID");
        if (fds == null || listenPid == null) {
            throw failure("no socket was passed by systemd (LISTEN_FDS is not set): run under a .socket unit or"
                    + " systemd-socket-activate");
        }
        if (!listenPid.equals(Long.toString(pid))) {
            throw failure("no socket was passed by systemd to this process (LISTEN_PID is " + listenPid + ", not "
                    + pid + "): run under a .socket unit or systemd-socket-activate");
        }
        int count;
        try {
            count = Integer.parseInt(fds);
        } catch (NumberFormatException e) {
            count = -1;
        }
        if (count < 0) {
            throw failure("LISTEN_FDS '" + fds + "' is not a count of sockets");
        }
        if (name == null) {
            if (index >= count) {
                throw failure("index " + index + " is out of range: systemd passed " + count + " socket"
                        + (count == 1 ? "" : "s") + (count == 0 ? "" : " (index 0 to " + (count - 1) + ")"));
            }
            return FIRST_DESCRIPTOR + index;
        }
        String names = environment.getOrDefault("LISTEN_FDNAMES", "");
        List<String> listed = names.isEmpty() ? List.of() : Arrays.asList(names.split(":", -1));
        int at = listed.indexOf(name);
        if (at < 0 || at >= count) {
            throw failure("no socket named '" + name + "' was passed (LISTEN_FDNAMES is '" + names
                    + "'): name it with FileDescriptorName= in the .socket unit");
        }
        return FIRST_DESCRIPTOR + at;
    }

    /**
     * Takes over the passed socket, a listening stream socket of this endpoint's domain, as a channel in blocking
     * mode; the same channel again on later calls. Its descriptor becomes standard input, as
     * {@link Descriptors#adoptAsInheritedChannel} needs.
     *
     * @throws IllegalArgumentException when no socket was passed, not this one, or one of another kind (UDP among
     *                                  them: {@link #adoptDatagram()})
     * @throws IllegalStateException    when this process adopted another {@code systemd:} socket already: the JDK
     *                                  takes over one descriptor per process
     */
    public ServerSocketChannel adopt() throws IOException {
        if (adoptSocket() instanceof ServerSocketChannel listening) {
            return listening;
        }
        throw failure("descriptor " + descriptor() + " is a UDP socket (ListenDatagram=), not a listening stream"
                + " socket: serve it with a datagram server");
    }

    /**
     * Takes over the passed socket, a UDP socket ({@code ListenDatagram=}), as a channel in blocking mode; the same
     * channel again on later calls.
     *
     * @throws IllegalArgumentException when no socket was passed, not this one, or one of another kind (a listening
     *                                  stream socket among them: {@link #adopt()})
     * @throws IllegalStateException    when this process adopted another {@code systemd:} socket already
     */
    public DatagramChannel adoptDatagram() throws IOException {
        if (adoptSocket() instanceof DatagramChannel datagrams) {
            return datagrams;
        }
        throw failure("descriptor " + descriptor() + " is a listening stream socket (ListenStream=), not a UDP"
                + " socket: serve it with a stream server");
    }

    /** Whether the passed socket is a UDP socket rather than a listening stream one; adopts it. */
    public boolean datagram() {
        try {
            return adoptSocket() instanceof DatagramChannel;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Takes over the passed socket, whichever it is: a listening stream socket ({@link ServerSocketChannel}) or a UDP
     * socket ({@link DatagramChannel}) of this endpoint's domain, as a channel in blocking mode; the same channel
     * again on later calls.
     *
     * @throws IllegalArgumentException when no socket was passed, not this one, or one of another kind
     * @throws IllegalStateException    when this process adopted another {@code systemd:} socket already: the JDK
     *                                  takes over one descriptor per process
     */
    public NetworkChannel adoptSocket() throws IOException {
        synchronized (ADOPTION_LOCK) {
            if (adopted != null) {
                if (adopted.by().equals(this)) {
                    return adopted.channel();
                }
                throw new IllegalStateException(describe() + ": this process serves " + adopted.by().describe()
                        + " already, and the JDK takes over one socket passed by systemd per process");
            }
            int fd = descriptor();
            Channel channel;
            try {
                // Closing the inherited channel points standard output and error at /dev/null: keep them to restore.
                if (savedOutput < 0) {
                    savedOutput = Descriptors.dup(1);
                    savedError = Descriptors.dup(2);
                }
                channel = Descriptors.adoptAsInheritedChannel(fd);
            } catch (IllegalArgumentException e) {
                throw failure(e.getMessage());
            }
            if (!(channel instanceof ServerSocketChannel) && !(channel instanceof DatagramChannel)) {
                String kind = channel == null ? "not a socket" : channel instanceof java.nio.channels.SocketChannel
                        ? "a connected stream socket (the .socket unit has Accept=yes: Pier wants Accept=no)"
                        : "a socket of another kind";
                throw failure("descriptor " + fd + " is " + kind + ", not a listening stream socket or a UDP socket");
            }
            NetworkChannel socket = (NetworkChannel) channel;
            SocketAddress address = socket.getLocalAddress();
            // INET and INET6 both take a TCP or UDP socket: systemd's ListenStream=PORT is an IPv6 socket that takes
            // IPv4 too.
            if ((address instanceof UnixDomainSocketAddress) != unix()) {
                String kind = socket instanceof DatagramChannel ? "UDP" : "TCP";
                throw failure("descriptor " + fd + " is a " + (unix() ? kind : "Unix") + " socket (" + address
                        + "), not " + (unix() ? "a Unix" : "a TCP or UDP") + " one: write domain="
                        + (unix() ? "INET" : "UNIX"));
            }
            adopted = new Adopted(this, socket);
            return socket;
        }
    }

    /**
     * Points standard output and error back where they went before {@link #adopt()}: the JDK points them at
     * {@code /dev/null} when the adopted channel is closed, so call this once it is, to keep logging. Does nothing
     * when no socket was adopted.
     */
    public static void restoreStandardStreams() throws IOException {
        synchronized (ADOPTION_LOCK) {
            if (savedOutput >= 0 && adopted != null && !adopted.channel().isOpen()) {
                Descriptors.dup2(savedOutput, 1);
                Descriptors.dup2(savedError, 2);
            }
        }
    }

    private IllegalArgumentException failure(String problem) {
        return new IllegalArgumentException(describe() + ": " + problem);
    }

    @Override
    public String describe() {
        return "systemd:domain=" + domain + (name == null ? ":index=" + index : ":name=" + EndpointParser.escape(name));
    }

    @Override
    public String toString() {
        return describe();
    }
}
