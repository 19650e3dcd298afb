package io.portflux.web.quota;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Reservation is a place held for a scan (a running-scan slot, a client's quota) that is given
 * back exactly once, however the request or the scan ends.
 */
public final class Reservation {

    /** A reservation that holds nothing; for limits that are switched off. */
    static Reservation none() {
        return new Reservation(() -> {});
    }

    private final Runnable giveBack;
    private final AtomicBoolean released = new AtomicBoolean();
    private final AtomicBoolean used = new AtomicBoolean();

    public Reservation(Runnable giveBack) {
        this.giveBack = Objects.requireNonNull(giveBack, "giveBack");
    }

    /** Gives the place back; later calls do nothing. */
    public void release() {
        if (released.compareAndSet(false, true)) {
            giveBack.run();
        }
    }

    /** Marks the place as handed to a running scan, which releases it when it ends. */
    public void markUsed() {
        used.set(true);
    }

    /** Gives the place back unless a scan took it over; for requests cancelled before the scan started. */
    public void releaseIfUnused() {
        if (!used.get()) {
          release();
        }
    }

    /** One reservation that holds this one and {@code other}, and gives both back together. */
    public Reservation and(Reservation other) {
        return new Reservation(() -> {
          release();
            other.release();
        });
    }
}
