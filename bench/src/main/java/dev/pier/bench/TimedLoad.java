package dev.pier.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/** Runs selector workers through a warm-up and a measured window, then adds up what they measured. */
final class TimedLoad {

    private TimedLoad() {
    }

    static Result run(List<? extends SelectorWorker> workers, Duration warmup, Duration duration,
                      MeasurementWindow window) throws InterruptedException {
        long from = System.nanoTime() + warmup.toNanos();
        long until = from + duration.toNanos();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < workers.size(); i++) {
            SelectorWorker worker = workers.get(i);
            worker.window(from, until);
            threads.add(Thread.ofPlatform().name("pier-bench-driver-" + i).start(worker));
        }
        sleepUntil(from);
        window.opened();
        sleepUntil(until);
        window.closed();
        for (Thread thread : threads) {
            thread.join();
        }
        var latency = Result.newHistogram();
        long operations = 0;
        long errors = 0;
        long allCompleted = 0;
        long allocated = 0;
        for (SelectorWorker worker : workers) {
            latency.add(worker.latency);
            operations += worker.operations;
            errors += worker.errors;
            allCompleted += worker.allCompleted;
            allocated += worker.allocatedBytes;
        }
        return new Result(operations, duration.toNanos() / 1e9, latency, errors, operations,
                allCompleted > 0 ? (double) allocated / allCompleted : Double.NaN);
    }

    /** The window's edges are points in time, not conditions, so waiting for them is a plain timed park. */
    private static void sleepUntil(long deadline) {
        for (long left = deadline - System.nanoTime(); left > 0; left = deadline - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }

    /** Deals {@code count} items round-robin to {@code threads} workers: how many worker {@code index} gets. */
    static int share(int count, int threads, int index) {
        return count / threads + (index < count % threads ? 1 : 0);
    }
}
