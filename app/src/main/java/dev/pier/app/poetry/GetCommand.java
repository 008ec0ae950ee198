package dev.pier.app.poetry;

import static dev.pier.app.cli.Options.option;
import static dev.pier.app.cli.Options.parameters;

import dev.pier.app.cli.Cli;
import dev.pier.app.cli.CommandFailure;
import dev.pier.app.cli.ExitStatus;
import dev.pier.app.cli.Messages;
import dev.pier.endpoint.ClientEndpoint;
import dev.pier.reactor.Protocol;
import dev.pier.reactor.Reactor;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** {@code pier poetry get}: the tutorial's poetry client, fetching from every server at once on one reactor. */
public final class GetCommand implements Callable<Integer> {

    private final CommandSpec spec = Cli.command(this, "get");
    private Double timeoutSeconds;
    private String maxSize;
    private String transform;
    private Path output;
    private List<String> servers;

    public GetCommand() {
        spec.usageMessage().sortOptions(false).description(
                "Poetry client: fetches a poem from every server at once, then prints them in argument order.",
                "Progress goes to stderr as bytes arrive. A server that fails or times out is reported; the other "
                        + "poems are still printed.",
                "With --transform, each poem is first sent to that transform server (cummingsify); the original "
                        + "is kept if that fails, unless --timeout ran out.",
                "A poem counts only if the server ended it with an orderly close: a reset means it was cut short.")
                .footer("", "ENDPOINT: PORT (on localhost), HOST:PORT, tcp:host=HOST:port=PORT, "
                        + "tls:host=HOST:port=PORT[:trustRoots=CA.pem] or unix:path=PATH.",
                        "SIZE: bytes, or K, M or G (binary units) as in 64M; at most 1G.",
                        "Exit status: 0 if every poem came whole; 1 if any could not be fetched (unreachable, cut "
                                + "short, timed out, over --max-size); 2 for a bad command line.");
        spec.addOption(option("--timeout", "SECONDS", Double.class, value -> timeoutSeconds = value,
                "give up on a poem not fully arrived, and transformed with --transform, after SECONDS "
                        + "(default: wait)").build());
        spec.addOption(option("--max-size", "SIZE", String.class, value -> maxSize = value,
                "give up on a poem larger than SIZE (default: ${DEFAULT-VALUE})").defaultValue("64M").build());
        spec.addOption(option("--transform", "ENDPOINT", String.class, value -> transform = value,
                "transform server to cummingsify each poem").build());
        spec.addOption(option("--output", "DIR", Path.class, value -> output = value,
                "write poem N (1-based, in argument order) to DIR/N.txt instead of stdout; DIR is "
                        + "created if need be").build());
        spec.addPositional(parameters("ENDPOINT", "1..*", String.class, value -> servers = value,
                "poetry servers to fetch from").build());
        Cli.addStandardHelpOptions(spec);
    }

    /** This command, as picocli declares it. */
    public CommandSpec spec() {
        return spec;
    }

    @Override
    public Integer call() {
        List<ClientEndpoint> endpoints = servers.stream()
                .map(server -> Endpoints.client(spec.commandLine(), server)).toList();
        ClientEndpoint transformer = transform == null ? null : Endpoints.client(spec.commandLine(), transform);
        Duration timeout = timeoutSeconds == null ? null
                : Durations.seconds(spec.commandLine(), "--timeout", timeoutSeconds);
        int limit = Sizes.bytes(spec.commandLine(), "--max-size", maxSize);
        if (output != null) {
            createOutputDirectory();
        }
        PrintStream err = System.err;
        Progress progress = Progress.to(err, System.console() != null && System.console().isTerminal(),
                endpoints.stream().map(Endpoints::shortName).toList());
        List<CompletableFuture<byte[]>> poems = new ArrayList<>();
        try (Reactor reactor = Reactor.start()) {
            for (int i = 0; i < endpoints.size(); i++) {
                int task = i + 1;
                ClientEndpoint endpoint = endpoints.get(i);
                // Started on the loop thread, where the protocols, timers and futures of a fetch all live.
                poems.add(CompletableFuture.supplyAsync(
                                () -> fetch(reactor, endpoint, task, timeout, limit, progress, transformer),
                                reactor::callFromThread)
                        .thenCompose(poem -> poem));
            }
            // A loop that dies leaves the fetches on it unfinished for ever: its end is waited for as well.
            CompletableFuture<Void> loopEnded = reactor.whenStopped().toCompletableFuture();
            CompletableFuture.anyOf(CompletableFuture.allOf(poems.toArray(CompletableFuture[]::new)), loopEnded)
                    .exceptionally(failure -> null).join();
            if (loopEnded.isCompletedExceptionally()) {
                throw CommandFailure.eventLoopFailed(loopEnded.exceptionNow());
            }
        }
        progress.done();
        return print(poems);
    }

    private CompletableFuture<byte[]> fetch(Reactor reactor, ClientEndpoint endpoint, int task, Duration timeout,
            int limit, Progress progress, ClientEndpoint transformer) {
        long started = reactor.nanoTime();
        PoemFetch fetch = new PoemFetch((bytes, total) -> progress.received(task, bytes, total), limit);
        CompletableFuture<Protocol> connecting = Endpoints.connect(reactor, endpoint, fetch);
        fetch.onAbandon(() -> connecting.cancel(false));
        if (timeout != null) {
            fetch.timeout(timeout, reactor);
        }
        CompletableFuture<byte[]> poem = fetch.poem().whenComplete((bytes, failure) -> {
            if (failure != null) {
                progress.failed(task, PoemFetch.describe(failure));
            } else {
                progress.finished(task, bytes.length);
            }
        });
        if (transformer == null) {
            return poem;
        }
        return poem.thenCompose(original -> {
            TransformClient request = new TransformClient(Transform.CUMMINGSIFY.wireName(), original);
            CompletableFuture<Protocol> transforming = Endpoints.connect(reactor, transformer, request);
            request.onAbandon(() -> transforming.cancel(false));
            if (timeout != null) {
                // --timeout bounds the whole task: the transform gets what the fetch left of it.
                Duration left = timeout.minusNanos(reactor.nanoTime() - started);
                request.timeout(left.isNegative() ? Duration.ZERO : left, reactor);
            }
            return request.result().exceptionallyCompose(failure -> {
                if (PoemFetch.isTimeout(failure)) {
                    progress.failed(task, "timed out after " + Durations.text(timeout)
                            + " s waiting for the transform server");
                    return CompletableFuture.failedFuture(failure);
                }
                progress.note("Task " + task + ": transform failed, keeping the original poem: "
                        + PoemFetch.describe(failure));
                return CompletableFuture.completedFuture(original);
            });
        });
    }

    /** Makes the --output directory now, so that a mistake shows before anything is fetched. */
    private void createOutputDirectory() {
        if (Files.exists(output) && !Files.isDirectory(output)) {
            throw new ParameterException(spec.commandLine(), "--output '" + output + "' is not a directory");
        }
        try {
            Files.createDirectories(output);
        } catch (IOException e) {
            throw new CommandFailure("cannot create the directory '" + output + "' for --output: "
                    + Messages.reason(e), e);
        }
    }

    private int print(List<CompletableFuture<byte[]>> poems) {
        int failed = 0;
        OutputStream out = System.out;
        try {
            for (int i = 0; i < poems.size(); i++) {
                CompletableFuture<byte[]> poem = poems.get(i);
                byte[] bytes;
                try {
                    bytes = poem.join();
                } catch (CompletionException | CancellationException e) {
                    failed++;
                    continue;
                }
                if (output != null) {
                    Files.write(output.resolve((i + 1) + ".txt"), bytes);
                } else {
                    out.write(bytes);
                }
            }
            out.flush();
        } catch (IOException e) {
            throw new CommandFailure("cannot write the poems" + (output == null ? "" : " to '" + output + "'") + ": "
                    + Messages.reason(e), e);
        }
        if (failed > 0) {
            System.err.println("pier: " + failed + " of " + poems.size() + " poems could not be fetched");
        }
        return failed > 0 ? ExitStatus.FAILURE : ExitStatus.OK;
    }
}
