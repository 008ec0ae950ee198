package dev.pier.app.cli;

import dev.pier.endpoint.ServerEndpoint;
import dev.pier.reactor.ReactorGroup;
import java.util.ArrayList;
import java.util.List;

/**
 * The servers of several commands gathered to run in one process, as {@code pier run} does with a services file:
 * each command, given this through {@link ProcessOptions#composeInto}, adds its servers here instead of serving
 * them, and the reactor servers of all share the event loops, one per core.
 */
public final class Composition {

    private final List<Serving.Start> starts = new ArrayList<>();
    private final List<ServerEndpoint> endpoints = new ArrayList<>();
    private ReactorGroup loops;

    void add(List<Serving.Start> servers, List<ServerEndpoint> listening) {
        starts.addAll(servers);
        endpoints.addAll(listening);
    }

    /** The servers gathered, in the order the commands gave them. */
    public List<Serving.Start> starts() {
        return List.copyOf(starts);
    }

    /** Where they listen, as the commands were told. */
    public List<ServerEndpoint> endpoints() {
        return List.copyOf(endpoints);
    }

    /** The event loops the reactor servers share, started by the first that asks. */
    synchronized ReactorGroup loops() {
        if (loops == null) {
            loops = ReactorGroup.start();
        }
        return loops;
    }
}
