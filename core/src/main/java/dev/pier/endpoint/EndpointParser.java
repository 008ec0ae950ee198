package dev.pier.endpoint;

import java.math.BigDecimal;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Parses and formats endpoint description strings; see {@link Endpoint}. */
final class EndpointParser {

    private static final String SERVER_TYPES = "tcp, tcp6, ssl, udp, unix, unixgram, systemd";
    private static final String CLIENT_TYPES = "tcp, tls, unix";
    private static final Set<String> UNSUPPORTED_TWISTED_TYPES = Set.of();
    private static final String HAPROXY_PREFIX = "haproxy:";

    private EndpointParser() {}

    /** One {@code :}-separated part of a description, unescaped: {@code key=value} or a positional value. */
    private record Part(String key, String value) {
        boolean positional() {
            return key == null;
        }
    }

    private static IllegalArgumentException bad(String description, String problem) {
        return new IllegalArgumentException(printable("bad endpoint '" + withoutSecrets(description) + "': "
                + problem));
    }

    /** A password written into a description (a mistake the message points out) is not repeated to a log. */
    private static String withoutSecrets(String text) {
        return text.replaceAll("(password=)(?!env:|file:)[^:]*", "$1***");
    }

    /** Control characters as escapes: the message quotes the description, and must stay one readable line. */
    private static String printable(String text) {
        StringBuilder printable = new StringBuilder(text.length());
        text.chars().forEach(c -> {
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                printable.append(String.format("\\u%04x", c));
            } else {
                printable.append((char) c);
            }
        });
        return printable.toString();
    }

    static ServerEndpoint parseServer(String description) {
        if (description != null && description.startsWith(HAPROXY_PREFIX)) {
            ServerEndpoint inner = parseServer(description.substring(HAPROXY_PREFIX.length()));
            try {
                return new ProxiedEndpoint(inner);
            } catch (IllegalArgumentException e) {
                throw bad(description, e.getMessage());
            }
        }
        List<Part> parts = tokenize(description);
        Part first = parts.getFirst();
        String type = first.positional() ? first.value() : null;
        if (type != null && isServerType(type)) {
            return parseServerType(description, type, parts.subList(1, parts.size()));
        }
        if ("tls".equals(type)) {
            throw bad(description, "tls: is for clients; a TLS server is ssl:PORT:privateKey=KEY.pem");
        }
        rejectUnsupported(description, type, SERVER_TYPES);
        if (parts.size() == 1 && first.positional() && isDigits(first.value())) {
            return TcpEndpoint.of(port(description, first.value(), 0));
        }
        if (parts.size() == 2 && first.positional() && parts.get(1).positional()) {
            return new TcpEndpoint(first.value(), port(description, parts.get(1).value(), 0),
                    ServerEndpoint.DEFAULT_BACKLOG);
        }
        throw unknownType(description, first, SERVER_TYPES);
    }

    static ClientEndpoint parseClient(String description) {
        List<Part> parts = tokenize(description);
        Part first = parts.getFirst();
        String type = first.positional() ? first.value() : null;
        if ("tcp".equals(type) || "unix".equals(type) || "tls".equals(type)) {
            List<String> names = switch (type) {
                case "tcp" -> TCP_CLIENT_OPTIONS;
                case "tls" -> concat(TCP_CLIENT_OPTIONS, TlsClientEndpoint.OPTIONS);
                default -> List.of("path", "timeout");
            };
            Map<String, String> args = arguments(description, type, parts.subList(1, parts.size()), names, Map.of());
            Duration timeout = args.containsKey("timeout")
                    ? timeout(description, args.get("timeout")) : ClientEndpoint.DEFAULT_TIMEOUT;
            if (type.equals("unix")) {
                return new UnixClientEndpoint(path(description, required(description, args, "path")), timeout);
            }
            String host = required(description, args, "host");
            if (host.isEmpty()) {
                throw bad(description, "host is empty");
            }
            var tcp = new TcpClientEndpoint(host, port(description, required(description, args, "port"), 1), timeout,
                    Optional.ofNullable(args.get("bindAddress")));
            if (type.equals("tcp")) {
                return tcp;
            }
            args.keySet().retainAll(TlsClientEndpoint.OPTIONS);
            try {
                return new TlsClientEndpoint(tcp, args);
            } catch (IllegalArgumentException e) {
                throw bad(description, e.getMessage());
            }
        }
        if ("ssl".equals(type)) {
            throw bad(description, "ssl: is for servers; a TLS client is tls:host=HOST:port=PORT");
        }
        if (type != null && isServerType(type)) {
            throw bad(description, "type '" + type + "' is not supported for clients (known: "
                    + CLIENT_TYPES + ")");
        }
        rejectUnsupported(description, type, CLIENT_TYPES);
        if (parts.size() == 1 && first.positional() && isDigits(first.value())) {
            return TcpClientEndpoint.of("localhost", port(description, first.value(), 1));
        }
        if (parts.size() == 2 && first.positional() && parts.get(1).positional()) {
            if (first.value().isEmpty()) {
                throw bad(description, "host is empty");
            }
            return TcpClientEndpoint.of(first.value(), port(description, parts.get(1).value(), 1));
        }
        throw unknownType(description, first, CLIENT_TYPES);
    }

    private static final List<String> TCP_CLIENT_OPTIONS = List.of("host", "port", "timeout", "bindAddress");

    private static List<String> concat(List<String> first, List<String> second) {
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    /**
     * A description's named options in the order of {@code known}, which is how it describes itself, unmodifiable.
     *
     * @throws IllegalArgumentException if one is not in {@code known}
     */
    static Map<String, String> inOrder(Map<String, String> options, List<String> known) {
        Map<String, String> ordered = new LinkedHashMap<>();
        for (String name : known) {
            if (options.containsKey(name)) {
                ordered.put(name, options.get(name));
            }
        }
        if (ordered.size() != options.size()) {
            throw new IllegalArgumentException("unknown option in " + options.keySet() + " (known: "
                    + String.join(", ", known) + ")");
        }
        return Collections.unmodifiableMap(ordered);
    }

    /** {@code password=env:VAR} as written in Twisted's style, the source's {@code :} unescaped: one option. */
    private static List<Part> joinSecretSources(List<Part> parts) {
        List<Part> joined = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            Part part = parts.get(i);
            if ("password".equals(part.key()) && (part.value().equals("env") || part.value().equals("file"))
                    && i + 1 < parts.size() && parts.get(i + 1).positional()) {
                joined.add(new Part(part.key(), part.value() + ":" + parts.get(++i).value()));
            } else {
                joined.add(part);
            }
        }
        return joined;
    }

    private static boolean isServerType(String type) {
        return switch (type) {
            case "tcp", "tcp6", "ssl", "udp", "unix", "unixgram", "systemd" -> true;
            default -> false;
        };
    }

    private static ServerEndpoint parseServerType(String description, String type, List<Part> parts) {
        return switch (type) {
            case "tcp", "tcp6" -> {
                Map<String, String> args = arguments(description, type, parts,
                        List.of("port", "interface", "backlog"), Map.of());
                String host = args.getOrDefault("interface", type.equals("tcp6") ? "::" : "");
                yield new TcpEndpoint(host, port(description, required(description, args, "port"), 0),
                        backlog(description, args));
            }
            case "ssl" -> {
                Map<String, String> args = arguments(description, type, joinSecretSources(parts),
                        concat(List.of("port", "interface", "backlog"), TlsEndpoint.OPTIONS), Map.of());
                var tcp = new TcpEndpoint(args.getOrDefault("interface", ""),
                        port(description, required(description, args, "port"), 0), backlog(description, args));
                args.keySet().retainAll(TlsEndpoint.OPTIONS);
                try {
                    yield new TlsEndpoint(tcp, args);
                } catch (IllegalArgumentException e) {
                    throw bad(description, e.getMessage());
                }
            }
            case "udp" -> {
                Map<String, String> args = arguments(description, type, parts, List.of("port", "interface"), Map.of());
                yield new UdpEndpoint(args.getOrDefault("interface", ""),
                        port(description, required(description, args, "port"), 0));
            }
            case "unix" -> {
                Map<String, String> args = arguments(description, type, parts,
                        List.of("address", "mode", "backlog"), Map.of("path", "address"));
                int mode = args.containsKey("mode") ? mode(description, args.get("mode")) : UnixEndpoint.DEFAULT_MODE;
                yield new UnixEndpoint(path(description, required(description, args, "address")), mode,
                        backlog(description, args));
            }
            case "unixgram" -> {
                Map<String, String> args = arguments(description, type, parts, List.of("address", "mode"),
                        Map.of("path", "address"));
                int mode = args.containsKey("mode") ? mode(description, args.get("mode")) : UnixEndpoint.DEFAULT_MODE;
                yield new UnixDatagramEndpoint(path(description, required(description, args, "address")), mode);
            }
            case "systemd" -> {
                Map<String, String> args = arguments(description, type, parts, List.of("domain", "index", "name"),
                        Map.of());
                String domain = args.getOrDefault("domain", "INET");
                if (!SystemdEndpoint.DOMAINS.contains(domain)) {
                    throw bad(description, "domain '" + domain + "' is not one of "
                            + String.join(", ", SystemdEndpoint.DOMAINS) + " (systemd: INET or INET6 for a TCP or UDP"
                            + " socket, UNIX for a Unix stream socket)");
                }
                if (args.containsKey("index") == args.containsKey("name")) {
                    throw bad(description, args.containsKey("index") ? "give index or name, not both"
                            : "missing index (or name), e.g. systemd:domain=INET:index=0");
                }
                if (args.containsKey("name")) {
                    String name = args.get("name");
                    if (name.isEmpty()) {
                        throw bad(description, "name is empty");
                    }
                    if (name.contains(":")) {
                        throw bad(description, "name '" + name + "' holds ':', which separates the names systemd"
                                + " passes (LISTEN_FDNAMES)");
                    }
                    yield SystemdEndpoint.ofName(domain, name);
                }
                String index = args.get("index");
                if (!isDigits(index) || index.length() > 9) {
                    throw bad(description, "index '" + index + "' is not a whole number from 0");
                }
                yield SystemdEndpoint.ofIndex(domain, Integer.parseInt(index));
            }
            default -> throw new IllegalStateException("unhandled endpoint type " + type);
        };
    }

    private static void rejectUnsupported(String description, String type, String known) {
        if (type != null && UNSUPPORTED_TWISTED_TYPES.contains(type)) {
            throw bad(description, "type '" + type + "' is not supported (known: " + known + ")");
        }
    }

    private static IllegalArgumentException unknownType(String description, Part first, String known) {
        String type = first.positional() ? first.value() : first.key() + "=" + first.value();
        return bad(description, "unknown type '" + type + "' (known: " + known
                + "; or PORT, HOST:PORT, [IPV6]:PORT)");
    }

    /**
     * Names the arguments after the type: positional ones in the order of {@code names}, the rest by
     * {@code name=value} (an alias counts as the name it stands for).
     */
    private static Map<String, String> arguments(String description, String type, List<Part> parts,
            List<String> names, Map<String, String> aliases) {
        Map<String, String> args = new LinkedHashMap<>();
        int nextPositional = 0;
        String lastOption = null;
        for (Part part : parts) {
            String name;
            if (part.positional()) {
                if (lastOption != null) {
                    throw bad(description, "unexpected argument '" + part.value() + "' after option '"
                            + lastOption + "' (escape ':' in a value as '\\:')");
                }
                if (nextPositional >= names.size()) {
                    throw bad(description, "unexpected argument '" + part.value() + "' (" + type
                            + " takes " + String.join(", ", names) + "; escape ':' in a value as '\\:')");
                }
                name = names.get(nextPositional++);
            } else {
                name = aliases.getOrDefault(part.key(), part.key());
                lastOption = part.key();
                if (!names.contains(name)) {
                    throw bad(description, "unknown option '" + part.key() + "' for " + type
                            + " (known: " + String.join(", ", names) + ")");
                }
            }
            if (args.putIfAbsent(name, part.value()) != null) {
                throw bad(description, "option '" + name + "' is given twice");
            }
        }
        return args;
    }

    private static String required(String description, Map<String, String> args, String name) {
        String value = args.get(name);
        if (value == null) {
            throw bad(description, "missing " + name);
        }
        return value;
    }

    private static List<Part> tokenize(String description) {
        if (description == null || description.isBlank()) {
            throw bad(description == null ? "" : description,
                    "empty description (expected e.g. tcp:8080, unix:/path or HOST:PORT)");
        }
        List<Part> parts = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        String key = null;
        boolean inBrackets = false;
        boolean bracketedValue = false;
        for (int i = 0; i < description.length(); i++) {
            char c = description.charAt(i);
            if (c == '\\') {
                if (++i == description.length()) {
                    throw bad(description, "ends with a lone '\\' (write '\\\\' for a backslash)");
                }
                current.append(description.charAt(i));
            } else if (inBrackets) {
                if (c == ']') {
                    inBrackets = false;
                } else {
                    current.append(c);
                }
            } else if (c == '[' && current.isEmpty()) {
                inBrackets = true;
                bracketedValue = true;
            } else if (c == ':') {
                parts.add(new Part(key, current.toString()));
                current.setLength(0);
                key = null;
                bracketedValue = false;
            } else if (c == '=' && key == null && !bracketedValue) {
                key = current.toString();
                current.setLength(0);
            } else if (bracketedValue) {
                throw bad(description, "unexpected '" + c + "' after ']' (expected ':')");
            } else {
                current.append(c);
            }
        }
        if (inBrackets) {
            throw bad(description, "'[' is not closed by ']'");
        }
        parts.add(new Part(key, current.toString()));
        return parts;
    }

    private static boolean isDigits(String value) {
        return !value.isEmpty() && value.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    private static int port(String description, String value, int min) {
        if (isDigits(value) && value.length() <= 5) {
            int port = Integer.parseInt(value);
            if (port >= min && port <= 65535) {
                return port;
            }
        }
        throw bad(description, "port '" + value + "' is not a number from " + min + " to 65535");
    }

    private static int backlog(String description, Map<String, String> args) {
        String value = args.get("backlog");
        if (value == null) {
            return ServerEndpoint.DEFAULT_BACKLOG;
        }
        if (isDigits(value) && value.length() <= 9 && Integer.parseInt(value) > 0) {
            return Integer.parseInt(value);
        }
        throw bad(description, "backlog '" + value + "' is not a whole number greater than 0");
    }

    private static int mode(String description, String value) {
        if (!value.isEmpty() && value.length() <= 4 && value.chars().allMatch(c -> c >= '0' && c <= '7')) {
            return Integer.parseInt(value, 8);
        }
        throw bad(description, "mode '" + value + "' is not an octal permission such as 660");
    }

    private static Duration timeout(String description, String value) {
        try {
            BigDecimal seconds = new BigDecimal(value);
            if (seconds.signum() > 0 && seconds.compareTo(BigDecimal.valueOf(1_000_000_000L)) < 0) {
                long nanos = seconds.movePointRight(9).longValue();
                if (nanos > 0) {   // less than a nanosecond is no time at all
                    return Duration.ofNanos(nanos);
                }
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw bad(description, "timeout '" + value + "' is not a number of seconds greater than 0");
    }

    private static Path path(String description, String value) {
        if (value.isEmpty()) {
            throw bad(description, "path is empty");
        }
        Path path;
        try {
            path = Path.of(value);
        } catch (InvalidPathException e) {
            throw bad(description, "path '" + value + "' is not valid: " + e.getReason());
        }
        try {
            checkUnixPath(path);
        } catch (IllegalArgumentException e) {
            throw bad(description, e.getMessage());
        }
        return path;
    }

    // ---- used by the records

    static void checkPort(int port, int min) {
        if (port < min || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is not from " + min + " to 65535");
        }
    }

    /** The longest socket file path the kernel takes, in bytes: {@code sun_path} holds 108 with the final NUL. */
    static final int MAX_UNIX_PATH_BYTES = 107;

    static void checkUnixPath(Path path) {
        int length = path.toString().getBytes(StandardCharsets.UTF_8).length;
        if (length > MAX_UNIX_PATH_BYTES) {
            throw new IllegalArgumentException("socket path '" + path + "' is " + length + " bytes long; Unix sockets"
                    + " take at most " + MAX_UNIX_PATH_BYTES + ": use a shorter path, or a relative one");
        }
    }

    static void checkMode(int mode) {
        if (mode < 0 || mode > 07777) {
            throw new IllegalArgumentException("mode " + Integer.toOctalString(mode)
                    + " is not a permission from 0 to 7777 (octal)");
        }
    }

    /** The permissions of a socket file of {@code mode} (set-id and sticky bits, which sockets ignore, left out). */
    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = PosixFilePermission.values();   // OWNER_READ ... OTHERS_EXECUTE, high bit first
        for (int i = 0; i < bits.length; i++) {
            if ((mode & (1 << (bits.length - 1 - i))) != 0) {
                permissions.add(bits[i]);
            }
        }
        return permissions;
    }

    static void checkBacklog(int backlog) {
        if (backlog <= 0) {
            throw new IllegalArgumentException("backlog must be greater than 0, got " + backlog);
        }
    }

    static void checkTimeout(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be greater than 0, got " + timeout);
        }
    }

    static InetSocketAddress inet(SocketAddress address, Endpoint endpoint) {
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet;
        }
        throw new IllegalArgumentException(endpoint.describe() + " cannot be bound at " + address
                + ": expected a resolved InetSocketAddress");
    }

    static Path unixPath(SocketAddress address, Endpoint endpoint) {
        if (address instanceof UnixDomainSocketAddress unix) {
            return unix.getPath();
        }
        throw new IllegalArgumentException(endpoint.describe() + " cannot be bound at " + address
                + ": expected a UnixDomainSocketAddress");
    }

    /** The address as text, IPv6 in its shortest form ({@code ::1}, not {@code 0:0:0:0:0:0:0:1}). */
    static String hostString(InetAddress address) {
        String text = address.getHostAddress();
        if (!(address instanceof Inet6Address)) {
            return text;
        }
        int percent = text.indexOf('%');
        String scope = percent < 0 ? "" : text.substring(percent);
        String[] groups = (percent < 0 ? text : text.substring(0, percent)).split(":");
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < groups.length; ) {
            int j = i;
            while (j < groups.length && Integer.parseInt(groups[j], 16) == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = Math.max(j, i + 1);
        }
        StringBuilder shortest = new StringBuilder();
        for (int i = 0; i < groups.length; i++) {
            if (i == bestStart) {
                shortest.append("::");
                i += bestLength - 1;
                continue;
            }
            if (!shortest.isEmpty() && shortest.charAt(shortest.length() - 1) != ':') {
                shortest.append(':');
            }
            shortest.append(Integer.toHexString(Integer.parseInt(groups[i], 16)));
        }
        return shortest + scope;
    }

    /** Escapes the characters that separate parts of a description. */
    static String escape(String value) {
        StringBuilder escaped = new StringBuilder(value.length() + 8);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == ':' || c == '=' || c == '\\' || (c == '[' && i == 0)) {
                escaped.append('\\');
            }
            escaped.append(c);
        }
        return escaped.toString();
    }

    static String seconds(Duration duration) {
        return BigDecimal.valueOf(duration.getSeconds()).add(BigDecimal.valueOf(duration.getNano(), 9))
                .stripTrailingZeros().toPlainString();
    }
}
