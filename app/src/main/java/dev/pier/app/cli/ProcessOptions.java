package dev.pier.app.cli;

import static dev.pier.app.cli.Options.option;

import dev.pier.blocking.Forking;
import dev.pier.endpoint.ServerEndpoint;
import dev.pier.endpoint.TcpEndpoint;
import java.lang.System.Logger.Level;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * The options of a serving process, as a picocli mixin ({@link #mixinOf}): how long a stop may drain
 * ({@code --grace}), the log ({@code --log-file}, {@code --log-level}), the pid file and the health and metrics server
 * ({@code --metrics}).
 * Every serving command has them, through {@link ServiceOptions}; {@code pier run} has them alone, for every service
 * it runs.
 */
public class ProcessOptions {

    /** Where {@code --port} and a bare {@code --metrics} port listen unless told otherwise: this machine only. */
    public static final String DEFAULT_INTERFACE = "127.0.0.1";

    /** How long requests in progress may go on after a stop, unless {@code --grace} says otherwise. */
    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(10);

    /** The options that are the process's, not a service's: a line of a services file may not give them. */
    private static final List<String> OF_THE_PROCESS =
            List.of("--grace", "--log-file", "--log-level", "--pid-file", "--metrics", "--drain-notice");

    /** How long {@code /healthz} says 503 before the servers stop listening, unless {@code --drain-notice} says. */
    public static final Duration DEFAULT_DRAIN_NOTICE = Duration.ofSeconds(1);

    private static final System.Logger LOG = System.getLogger(ProcessOptions.class.getName());

    /** These options, as picocli declares them: a mixin of the command they belong to. */
    final CommandSpec options = CommandSpec.wrapWithoutInspection(this);

    /** The command these options belong to. */
    CommandSpec command;

    private String graceSeconds;
    private Path logFile;
    private LogLevel logLevel;
    private Path pidFile;
    private String metrics;
    private String drainNoticeSeconds;

    /** The services of a {@code pier run} this command joins instead of serving on its own; null if none. */
    private Composition composition;

    public ProcessOptions() {
        options.addOption(option("--grace", "SECONDS", String.class, value -> graceSeconds = value,
                "on SIGTERM or Ctrl-C, how long requests in progress may go on before they are cut off "
                        + "(default: 10)").build());
        options.addOption(option("--log-file", "FILE", Path.class, value -> logFile = value,
                "log to FILE (appending) instead of stderr; SIGUSR1 reopens it after log rotation").build());
        options.addOption(option("--log-level", "LEVEL", LogLevel.class, value -> logLevel = value,
                "the least important events logged: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
                .defaultValue("info").build());
        options.addOption(option("--pid-file", "FILE", Path.class, value -> pidFile = value,
                "write the process id to FILE while running; refuse to start if a running process holds it")
                .build());
        options.addOption(option("--metrics", "ENDPOINT", String.class, value -> metrics = value,
                "serve GET /healthz (200 while serving, 503 once a stop begins) and GET /metrics "
                        + "(Prometheus text format) over HTTP on ENDPOINT: tcp:PORT[:interface=HOST], or a bare PORT "
                        + "on " + DEFAULT_INTERFACE + "; as with --listen, tcp:PORT without interface= is every "
                        + "interface").build());
        options.addOption(option("--drain-notice", "SECONDS", String.class, value -> drainNoticeSeconds = value,
                "with --metrics: on SIGTERM, how long /healthz answers 503 while the servers still accept, so that "
                        + "a load balancer's health check takes this process out of rotation before it stops "
                        + "listening (default: 1)").build());
    }

    /** These options as a mixin of {@code command}, which reports their mistakes as its own. */
    public CommandSpec mixinOf(CommandSpec command) {
        this.command = command;
        return options;
    }

    /**
     * Makes this command's {@link #serve} add its servers to {@code composition} rather than serve them: it is one
     * line of a services file.
     */
    public void composeInto(Composition composition) {
        this.composition = composition;
    }

    /** The services this command joins, or null when it serves on its own. */
    Composition composition() {
        return composition;
    }

    /** How long a stop may drain requests in progress. */
    public Duration grace() {
        return graceSeconds == null ? DEFAULT_GRACE : seconds("--grace", graceSeconds);
    }

    /** How long the health check fails before the servers stop listening: nothing without {@code --metrics}. */
    Duration drainNotice() {
        if (drainNoticeSeconds != null && metrics == null) {
            throw usage("--drain-notice applies with --metrics, whose /healthz a load balancer watches");
        }
        return metrics == null ? Duration.ZERO
                : drainNoticeSeconds == null ? DEFAULT_DRAIN_NOTICE : seconds("--drain-notice", drainNoticeSeconds);
    }

    private Duration seconds(String option, String text) {
        try {
            BigDecimal seconds = new BigDecimal(text.strip());
            if (seconds.signum() >= 0 && seconds.compareTo(BigDecimal.valueOf(1_000_000_000L)) <= 0) {
                return Duration.ofNanos(seconds.movePointRight(9).longValue());
            }
        } catch (NumberFormatException notANumber) {
            // said below
        }
        throw usage(option + " must be a number of seconds, 0 or more, not '" + text + "'");
    }

    /** Whether {@code --metrics} was given. */
    public boolean hasMetrics() {
        return metrics != null;
    }

    /** These options as a command line, for a process that serves part of what this one would. */
    public List<String> asArguments() {
        List<String> arguments = new ArrayList<>();
        if (graceSeconds != null) {
            arguments.addAll(List.of("--grace", graceSeconds));
        }
        if (logFile != null) {
            arguments.addAll(List.of("--log-file", logFile.toString()));
        }
        arguments.addAll(List.of("--log-level", logLevel.toString()));
        return arguments;
    }

    /**
     * Serves as {@link Serving#untilStopped} does, logging where {@code --log-file} and {@code --log-level} say,
     * replacing the socket files of {@code endpoints} that servers now gone left behind, and holding the
     * {@code --pid-file} meanwhile. Under {@code pier run} ({@link #composeInto}) the servers join the others
     * instead, and this returns at once.
     *
     * <p>In a child JVM that a forking server started, the one place where the command knows it is one: the command
     * line was re-run there to handle one request, and the parent owns the pid file, the socket files, the ready lines
     * and the stop.
     *
     * @param supervised whether a supervisor started this process ({@code pier run --split}): it leaves Ctrl-C to the
     *                   supervisor, and stops when the supervisor is gone
     */
    public int serve(List<Serving.Start> servers, List<ServerEndpoint> endpoints, boolean supervised) {
        if (composition != null) {
            ParseResult given = command.commandLine().getParseResult();
            OF_THE_PROCESS.stream().filter(given::hasMatchedOption).findFirst().ifPresent(option -> {
                throw usage(option + " is for pier run itself, which applies it to every service: move it there");
            });
            composition.add(servers, endpoints);
            return ExitStatus.OK;
        }
        Duration grace = grace();
        TcpEndpoint metricsEndpoint = metricsEndpoint();
        Duration drainNotice = drainNotice();
        if (Forking.isForkedChild()) {
            logWhereAsked();
            LogSetup.writeEachLineBeforeGoingOn();
            return Serving.handOverRequests(servers);
        }
        return asProcess(() -> {
            for (ServerEndpoint endpoint : endpoints) {
                Servers.removeStaleSocketFile(endpoint);
            }
            return Serving.untilStopped(servers, grace, metricsEndpoint, drainNotice, supervised,
                    command.commandLine().getOut(),
                    command.commandLine().getErr());
        });
    }

    /**
     * Runs {@code process}, the whole life of a serving process, logging where {@code --log-file} and
     * {@code --log-level} say and holding the {@code --pid-file} meanwhile.
     */
    public int asProcess(IntSupplier process) {
        logWhereAsked();
        try (PidFile pid = pidFile == null ? null : PidFile.claim(pidFile)) {
            int status = process.getAsInt();
            LOG.log(Level.INFO, "stopped");
            return status;
        }
    }

    private void logWhereAsked() {
        if (logFile != null) {
            LogSetup.toFile(logFile);
        }
        LogSetup.setLevel(logLevel.level());
    }

    /** Where {@code --metrics} serves, or null without it. */
    TcpEndpoint metricsEndpoint() {
        if (metrics == null) {
            return null;
        }
        TcpEndpoint endpoint;
        try {
            endpoint = MetricsServer.parse(metrics);
        } catch (IllegalArgumentException e) {
            throw usage("--metrics: " + e.getMessage());
        }
        if (!endpoint.host().isEmpty()) {
            checkHost("--metrics '" + metrics + "'", endpoint.host());
        }
        return endpoint;
    }

    void checkHost(String option, String host) {
        try {
            InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw usage(option + ": unknown host '" + host + "'");
        }
    }

    ParameterException usage(String message) {
        return new ParameterException(command.commandLine(), message);
    }
}
