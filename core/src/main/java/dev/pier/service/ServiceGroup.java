package dev.pier.service;

import java.io.IOException;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Services that start and stop as one, as Twisted's {@code MultiService}: they start in order, and if one cannot,
 * those already started are stopped before the failure is thrown; they stop side by side, each given the same grace
 * period. A group is a service, so groups nest: a command's servers are a group, and a process running several
 * commands a group of those.
 *
 * <pre>{@code
 * ServiceGroup group = ServiceGroup.of("poetry", fast, slow);
 * group.start();
 * Service ended = group.firstStopped().join();   // a service that stopped by itself (or because it failed)
 * group.stop(Duration.ofSeconds(10));
 * }</pre>
 */
public final class ServiceGroup implements Service {

    private final String name;
    private final List<Service> services;
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

    @Override
    public void start() throws IOException {
        life.starting();
        List<Service> started = new ArrayList<>();
        for (Service service : services) {
            try {
                service.start();
            } catch (IOException | RuntimeException failedToStart) {
                stopSideBySide(started, Duration.ZERO);
                life.stopped(failedToStart);
                throw failedToStart;
            }
            started.add(service);
        }
        CompletableFuture.allOf(services.stream().map(Service::finished).toArray(CompletableFuture[]::new))
                .whenComplete((allStopped, failure) -> {
                    life.draining();
                    life.stopped(failure == null ? null : firstFailure());
                });
    }

    /** The first of its services to stop; a stop of the group stops them all, so this is for one that ends by itself. */
    public CompletableFuture<Service> firstStopped() {
        CompletableFuture<Service> first = new CompletableFuture<>();
        for (Service service : services) {
            service.finished().whenComplete((stopped, failure) -> first.complete(service));
        }
        return first;
    }

    @Override
    public void stop(Duration grace) {
        if (life.health() == Health.NEW) {
            return;
        }
        life.draining();
        stopSideBySide(services, grace);
    }

    private static void stopSideBySide(List<Service> services, Duration grace) {
        List<Thread> stopping = services.stream()
                .map(service -> Thread.ofVirtual().name("pier-stop-" + service.name())
                        .start(() -> service.stop(grace)))
                .toList();
        for (Thread thread : stopping) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private Throwable firstFailure() {
        return services.stream().map(Service::finished).filter(CompletableFuture::isCompletedExceptionally)
                .map(CompletableFuture::exceptionNow).findFirst().orElse(null);
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
        if (own == Health.SERVING && services.stream().anyMatch(service -> service.health() != Health.SERVING)) {
            return Health.DRAINING;
        }
        return own;
    }

    @Override
    public List<SocketAddress> addresses() {
        return services.stream().flatMap(service -> service.addresses().stream()).toList();
    }

    @Override
    public String toString() {
        return "service group " + name + " " + services;
    }
}
