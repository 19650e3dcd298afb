package io.portflux.probe;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.function.LongSupplier;

/**
 * InFlightBudget is the process-wide cap on probe sockets open at once, shared by every scan.
 *
 * <p>A probe that finds the budget spent does not block: it queues a {@link Waiter} that a later
 * {@link #release()} resumes. After a local resource fault (EMFILE, ENOBUFS, ...) the effective limit
 * is halved for a while and then doubled back once a second, so a scan backs off instead of
 * turning every further port into an error.
 */
public final class InFlightBudget {

    /** Faults closer together than this count as one, so a burst does not collapse the limit. */
    static final long CUT_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** How long a reduced limit holds before it doubles back towards the maximum. */
    static final long RESTORE_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** The limit a fault never cuts below (unless the maximum itself is smaller). */
    static final long FLOOR = 16;

    private final long max;
    private final long floor;
    private final LongSupplier nanoClock;
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();

    private long limit;
    private long inUse;
    private long lastCutNanos;
    private long restoreAtNanos;
    private boolean everCut;

    public InFlightBudget(long max) {
        this(max, System::nanoTime);
    }

    public InFlightBudget(long max, LongSupplier nanoClock) {
        if (max < 1) {
            throw new IllegalArgumentException("budget must be at least 1: " + max);
        }
        this.max = max;
        this.floor = Math.min(FLOOR, max);
        this.limit = max;
        this.nanoClock = nanoClock;
    }

    /**
     * Derives a budget from the process's open-file limit, keeping {@code headroom} descriptors for
     * the server, logs and the JVM; never below 64.
     */
    public static long fromFileLimit(long maxFileDescriptors, long headroom) {
        return Math.max(64, maxFileDescriptors - Math.max(0, headroom));
    }

    /**
     * Takes one slot for {@code waiter}. Returns true when the slot is granted at once; otherwise the
     * waiter is queued and {@link Waiter#granted()} runs later, on the thread that releases a slot.
     */
    public boolean acquire(Waiter waiter) {
        synchronized (this) {
            if (waiter.state != Waiter.NEW) {
                throw new IllegalStateException("waiter already used");
            }
            restoreIfDue();
            if (inUse < limit && waiters.isEmpty()) {
                inUse++;
                waiter.state = Waiter.GRANTED;
                return true;
            }
            waiter.state = Waiter.WAITING;
            waiters.add(waiter);
            return false;
        }
    }

    /** Gives back one slot, handing it straight to the oldest live waiter if there is one. */
    public void release() {
        Waiter first = null;
        ArrayDeque<Waiter> more = null;
        synchronized (this) {
            if (inUse <= 0) {
                throw new IllegalStateException("release without acquire");
            }
            inUse--;
            restoreIfDue();
            while (inUse < limit && !waiters.isEmpty()) {
                Waiter next = waiters.poll();
                if (!next.claim()) {
                    continue; // cancelled while queued; it holds nothing
                }
                inUse++;
                if (first == null) {
                    first = next;
                } else {
                    if (more == null) {
                        more = new ArrayDeque<>();
                    }
                    more.add(next);
                }
            }
        }
        // Resumed outside the lock: a waiter's continuation may start I/O or acquire again.
        if (first != null) {
            first.granted();
            if (more != null) {
                for (Waiter w : more) {
                    w.granted();
                }
            }
        }
    }

    /** Records a local resource fault: halves the effective limit (not below the floor) for a while. */
    public void onLocalFault() {
        onLocalFault(Long.MAX_VALUE);
    }

    /**
     * Records a local resource fault that struck with {@code socketsOpen} probe sockets open: the
     * resource ran out there, so the effective limit drops to at most that many, and at least by half
     * (not below the floor), for a while. A limit far above what the process can really open then
     * comes down in one step rather than by halves.
     */
    public void onLocalFault(long socketsOpen) {
        synchronized (this) {
            long now = nanoClock.getAsLong();
            if (!everCut || now - lastCutNanos >= CUT_INTERVAL_NANOS) {
                limit = Math.max(floor, Math.min(limit / 2, socketsOpen));
                lastCutNanos = now;
                everCut = true;
            }
            restoreAtNanos = now + RESTORE_INTERVAL_NANOS;
        }
    }

    /** The configured maximum. */
    public long max() {
        return max;
    }

    /** The limit in force now; below {@link #max()} after a local fault. */
    public synchronized long limit() {
        restoreIfDue();
        return limit;
    }

    /** Slots currently held. */
    public synchronized long inUse() {
        return inUse;
    }

    /** Slots that an acquire would get at once now: the limit in force less those held, 0 while waiters queue. */
    public synchronized long spare() {
        restoreIfDue();
        return waiters.isEmpty() ? Math.max(0, limit - inUse) : 0;
    }

    /** Waiters currently queued (including cancelled ones not yet skipped). */
    public synchronized int queued() {
        return waiters.size();
    }

    /**
     * True when a slot given back now would be put to use: a probe is queued for one, or a local
     * fault has cut the limit below the slots in use. A holder that could keep its slot for later
     * (an idle, reusable socket) gives it back instead.
     */
    public synchronized boolean contended() {
        restoreIfDue();
        return !waiters.isEmpty() || inUse > limit;
    }

    private void restoreIfDue() {
        // Only read the clock while reduced: the common path stays free of it.
        if (limit < max) {
            long now = nanoClock.getAsLong();
            if (now - restoreAtNanos >= 0) {
                limit = Math.min(max, limit * 2);
                restoreAtNanos = now + RESTORE_INTERVAL_NANOS;
            }
        }
    }

    /** Waiter is one pending claim on the budget; it is used once. */
    public abstract static class Waiter {

        private static final int NEW = 0;
        private static final int WAITING = 1;
        private static final int GRANTED = 2;
        private static final int CANCELLED = 3;
        private static final AtomicIntegerFieldUpdater<Waiter> STATE =
                AtomicIntegerFieldUpdater.newUpdater(Waiter.class, "state");

        private volatile int state;

        /** Runs when a queued claim gets its slot; the slot must later be given back with release. */
        protected abstract void granted();

        /**
         * Withdraws a queued claim. Returns true when the waiter was still queued, so it never got a
         * slot and will never be granted; false when it already holds one (or never asked).
         */
        public final boolean cancelWaiting() {
            return STATE.compareAndSet(this, WAITING, CANCELLED);
        }

        private boolean claim() {
            return STATE.compareAndSet(this, WAITING, GRANTED);
        }
    }
}
