package dev.pier.app.cli;

import dev.pier.service.Service;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** One server of a command as a {@link Service}, so that a command's servers, or several commands', form a group. */
final class CommandService implements Service {

    private final Serving.Start start;
    private final CompletableFuture<Void> finished = new CompletableFuture<>();
    private volatile RunningServer running;
    private volatile boolean draining;

    CommandService(Serving.Start start) {
        this.start = start;
    }

    @Override
    public String name() {
        return start.service();
    }

    /** @throws CommandFailure if the server cannot start (an address in use, a socket systemd did not pass) */
    @Override
    public void start() {
        if (running != null) {
            throw new IllegalStateException("the service " + name() + " was started before");
        }
        running = start.server().get();
        running.finished().whenComplete((ended, failure) -> {
            if (failure == null) {
                finished.complete(null);
            } else {
                finished.completeExceptionally(failure);
            }
        });
    }

    /** The server it started: null before then. */
    RunningServer running() {
        return running;
    }

    @Override
    public void stop(Duration grace) {
        RunningServer server = running;
        if (server != null) {
            draining = true;
            server.stop(grace);
        }
    }

    @Override
    public CompletableFuture<Void> finished() {
        return finished;
    }

    @Override
    public Health health() {
        return running == null ? Health.NEW : finished.isDone() ? Health.STOPPED
                : draining ? Health.DRAINING : Health.SERVING;
    }

    @Override
    public List<SocketAddress> addresses() {
        RunningServer server = running;
        return server == null ? List.of() : List.of(server.address());
    }
}
