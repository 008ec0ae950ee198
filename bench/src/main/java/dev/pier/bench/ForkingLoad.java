package dev.pier.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Connect to first byte, for servers that serve each connection in a process of its own: a client connects, sends
 * one message and times the first byte of its echo, then reads the rest, closes its side and reads to the end, so
 * that the child finishes as it would for any client.
 *
 * <p>{@link #warm} sends one request at a time with a pause before each, so that a server which keeps children
 * ready has one ready: the figure is what a request pays when the server is not short of children.
 * {@link #steady} opens connections on a fixed schedule whatever the replies do, each latency measured from its
 * scheduled start, so that a server which falls behind is charged for the wait (no coordinated omission); a request
 * that times out counts as an error and, in the percentiles, as at least as late as it had waited.
 */
final class ForkingLoad {

    /** How long one request may take, from its scheduled start, before it counts as failed. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

    private ForkingLoad() {
    }

    /** {@code requests} sequential requests, each after {@code pause}: connect to first byte of each. */
    static Result warm(InetSocketAddress target, int requests, Duration pause, int messageSize,
                       MeasurementWindow window) {
        Histogram latency = Result.newHistogram();
        long errors = 0;
        long started = System.nanoTime();
        window.opened();
        for (int i = 0; i < requests; i++) {
            parkUntil(System.nanoTime() + pause.toNanos());
            long at = System.nanoTime();
            try {
                latency.recordValue(firstByteAfter(target, at, messageSize));
            } catch (IOException e) {
                errors++;
                reportFirst(errors, e);
            }
        }
        window.closed();
        return new Result(latency.getTotalCount(), (System.nanoTime() - started) / 1e9, latency, errors, requests);
    }

    /**
     * Requests started at {@code rate} per second, each on its own virtual thread at its scheduled time, for
     * {@code warmup} unmeasured and then {@code duration}; each latency runs from the scheduled start.
     */
    static Result steady(InetSocketAddress target, double rate, Duration warmup, Duration duration, int messageSize,
                         MeasurementWindow window) throws InterruptedException {
        long interval = Math.round(1e9 / rate);
        long start = System.nanoTime() + Duration.ofMillis(20).toNanos();
        long from = start + warmup.toNanos();
        long until = from + duration.toNanos();
        Histogram latency = Result.newHistogram();
        AtomicLong errors = new AtomicLong();
        AtomicLong measured = new AtomicLong();
        List<Thread> clients = new ArrayList<>();
        boolean opened = false;
        for (long due = start; due < until; due += interval) {
            if (!opened && due >= from) {
                parkUntil(from);
                window.opened();
                opened = true;
            }
            long scheduled = due;
            boolean counted = scheduled >= from;
            if (counted) {
                measured.incrementAndGet();
            }
            clients.add(Thread.ofVirtual().name("pier-bench-forking-client").start(() -> {
                parkUntil(scheduled);
                try {
                    long nanos = firstByteAfter(target, scheduled, messageSize);
                    if (counted) {
                        synchronized (latency) {
                            latency.recordValue(nanos);
                        }
                    }
                } catch (IOException e) {
                    if (counted) {
                        reportFirst(errors.incrementAndGet(), e);
                        if (e instanceof SocketTimeoutException) {
                            // Still waiting when given up on: at least this late, which the tail must show.
                            synchronized (latency) {
                                latency.recordValue(System.nanoTime() - scheduled);
                            }
                        }
                    }
                }
            }));
        }
        parkUntil(until);
        for (Thread client : clients) {
            client.join();
        }
        window.closed();
        return new Result(measured.get() - errors.get(), duration.toNanos() / 1e9, latency, errors.get(),
                measured.get());
    }

    /** One request: the nanoseconds from {@code since} to the first byte of the echo. */
    private static long firstByteAfter(InetSocketAddress target, long since, int messageSize) throws IOException {
        int timeout = (int) REQUEST_TIMEOUT.toMillis();
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.connect(target, timeout);
            socket.setSoTimeout(timeout);
            byte[] message = new byte[messageSize];
            for (int i = 0; i < messageSize; i++) {
                message[i] = (byte) ('a' + i % 26);
            }
            socket.getOutputStream().write(message);
            InputStream in = socket.getInputStream();
            if (in.read() < 0) {
                throw new IOException("closed before replying");
            }
            long firstByte = System.nanoTime() - since;
            int received = 1;
            byte[] rest = new byte[messageSize];
            while (received < messageSize) {
                int read = in.read(rest, 0, messageSize - received);
                if (read < 0) {
                    throw new IOException("closed after " + received + " of " + messageSize + " bytes");
                }
                received += read;
            }
            socket.shutdownOutput();
            while (in.read(rest) >= 0) {
                // The child's end of the connection: it has finished its request.
            }
            return firstByte;
        }
    }

    /** Says why the first request of a run failed: the count alone would not tell a timeout from a reset. */
    private static void reportFirst(long errors, IOException e) {
        if (errors == 1) {
            System.err.println("forking: a request failed (later failures of this run are only counted): " + e);
        }
    }

    private static void parkUntil(long deadline) {
        for (long left = deadline - System.nanoTime(); left > 0; left = deadline - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }
}
