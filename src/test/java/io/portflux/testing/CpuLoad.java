package io.portflux.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * CpuLoad keeps every core busy with spinning threads while a test runs, as a shared or crowded machine
 * does. Under it a thread holding a socket lock is more often preempted, so races with the kernel's
 * packet processing (an ICMP error that arrives while the socket is locked becomes a soft error) show up
 * in a test instead of only in production. The threads stop on {@link #close()}.
 */
public final class CpuLoad implements AutoCloseable {

    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();

    /** Starts one spinning thread per processor, plus one. */
    public CpuLoad() {
        int count = Runtime.getRuntime().availableProcessors() + 1;
        for (int i = 0; i < count; i++) {
            Thread t = new Thread(this::spin, "cpu-load-" + i);
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
    }

    private void spin() {
        long x = 0;
        while (running.get()) {
            x += System.nanoTime() & 1;
        }
        if (x == 42) {
            Thread.yield(); // keeps the loop from being optimised away
        }
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        for (Thread t : threads) {
            t.join();
        }
    }
}
