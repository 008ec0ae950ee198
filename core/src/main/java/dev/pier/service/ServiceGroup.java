package dev.pier.service;

import java.io.IOException;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Services that start and stop as one, as Twisted's {@code MultiService}: they start in order, and if one cannot,
 * those already started are stopped (and waited for) before the failure is thrown; they stop side by side, each
 * given the same grace period. A group is a service, so groups nest: a command's servers are a group, and a process
 * running several commands a group of those.
 *
 * <pre>{@code
 * ServiceGroup group = ServiceGroup.of("poetry", fast, slow);
 * group.start();
 * Service ended = group.firstStopped().join();   // a service that stopped by itself (or because it failed)
 * group.stop(Duration.ofSeconds(10));
 * }</pre>
 */
public final class ServiceGroup implements Service {

    /** How long undoing a failed start waits for the services it stops to let go of their addresses. */
    private static final Duration UNDO_LIMIT = Duration.ofSeconds(10);

    private final String name;
    private final List<Service> services;
    private final List<Service> started = new CopyOnWriteArrayList<>();
    private final Lifecycle life;

    private ServiceGroup(String name, List<Service> services) {
        this.name = name;
        this.services = List.copyOf(services);
        this.life = new Lifecycle(name);
    }

    /** A group of {@code services}, started in this order. */
    public static ServiceGroup of(String name, List<? extends Service> services) {
        return new ServiceGroup(name, List.copyOf(services));
    }

    /** A group of {@code services}, started in this order. */
    public static ServiceGroup of(String name, Service... services) {
        return of(name, List.of(services));
    }

    @Override
    public String name() {
        return name;
    }

    /** Its services, in the order they start. */
    public List<Service> services() {
        return services;
    }

    /** Starts its services in order; a stop that comes meanwhile leaves the rest unstarted. */
    @Override
    public void start() throws IOException {
        life.starting();
        for (Service service : services) {
            if (life.health() != Health.STARTING) {
                break;
            }
            try {
                service.start();
            } catch (IOException | RuntimeException failedToStart) {
                stopSideBySide(started, Duration.ZERO).forEach(failedToStart::addSuppressed);
                started.forEach(undone -> Waiting.upTo(undone.finished(), UNDO_LIMIT));
                life.stopped(failedToStart);
                throw failedToStart;
            }
            started.add(service);
        }
        allFinished().whenComplete((allStopped, failure) -> endOnceAllFinished());
        life.started();
    }

    private CompletableFuture<Void> allFinished() {
        return CompletableFuture.allOf(started.stream().map(Service::finished).toArray(CompletableFuture[]::new));
    }

    /** Ends the group, failed if one of its services failed; once, whoever gets here first. */
    private void endOnceAllFinished() {
        if (started.stream().allMatch(service -> service.finished().isDone())) {
            life.draining();
            life.stopped(started.stream().map(Service::finished).filter(CompletableFuture::isCompletedExceptionally)
                    .map(CompletableFuture::exceptionNow).findFirst().orElse(null));
        }
    }

    /** The first of its services to stop; a stop of the group stops them all, so this is for one that ends by itself. */
    public CompletableFuture<Service> firstStopped() {
        CompletableFuture<Service> first = new CompletableFuture<>();
        for (Service service : started) {
            service.finished().whenComplete((stopped, failure) -> first.complete(service));
        }
        return first;
    }

    /**
     * Stops its services side by side, each given {@code grace}; what a service's stop threw (a socket file it could
     * not remove, say) is thrown once they all returned, the others' failures suppressed in it.
     */
    @Override
    public void stop(Duration grace) {
        life.draining();
        life.awaitStart();
        List<Throwable> failures = stopSideBySide(started, grace);
        // The services' ends may have come just now: the group's health says so before this returns.
        endOnceAllFinished();
        if (!failures.isEmpty()) {
            Throwable first = failures.getFirst();
            failures.subList(1, failures.size()).forEach(first::addSuppressed);
            if (first instanceof Error error) {
                throw error;
            }
            throw (RuntimeException) first;
        }
    }

    /** What each service's stop threw (unchecked, as {@link Service#stop} is), in the services' order. */
    private static List<Throwable> stopSideBySide(List<Service> services, Duration grace) {
        List<CompletableFuture<Void>> stopping = services.stream()
                .map(service -> CompletableFuture.runAsync(() -> service.stop(grace),
                        task -> Thread.ofVirtual().name("pier-stop-" + service.name()).start(task)))
                .toList();
        List<Throwable> failures = new ArrayList<>();
        for (CompletableFuture<Void> stop : stopping) {
            try {
                stop.join();
            } catch (CompletionException e) {
                failures.add(e.getCause());
            }
        }
        return failures;
    }

    @Override
    public CompletableFuture<Void> finished() {
        return life.finished();
    }

    /**
     * {@link Health#SERVING} while every service serves; {@link Health#DRAINING} from the moment one no longer does
     * (a stop began, or one stopped by itself) until all have stopped.
     */
    @Override
    public Health health() {
        Health own = life.health();
        if (own == Health.SERVING && started.stream().anyMatch(service -> service.health() != Health.SERVING)) {
            return Health.DRAINING;
        }
        return own;
    }

    @Override
    public List<SocketAddress> addresses() {
        return started.stream().flatMap(service -> service.addresses().stream()).toList();
    }

    @Override
    public String toString() {
        return "service group " + name + " " + services;
    }
}
