package io.portflux.scan.shard;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * CompletionTracker follows which positions of a range have their final verdict, and gives the range's
 * contiguous-completion watermark: the position below which every one has, with the counts of their verdicts.
 *
 * <p>Positions finish out of order (up to the concurrency in flight, and a slow probe holds its place while
 * faster ones pass it). The range is walked in {@code stripes} interleaved shares, position {@code from + s +
 * k × stripes} being the k-th of stripe s, as the scanner's lanes walk it; each stripe keeps a ring of one byte
 * per position (its verdict, 0 while pending) from its oldest position not yet folded into the counts, so
 * memory follows the spread between the slowest and the fastest pending position, never the range's size.
 * A stripe is only touched by its own lane (and by {@link #checkpoint()}), so its lock is nearly never
 * contended.
 *
 * <p>A verdict that is reported by an event is marked pending delivery instead: it completes only when the
 * consumer calls {@link #delivered(Object)} for that event after storing it, so a watermark written with the
 * consumer's batch never covers a port whose event is not in that batch or an earlier one.
 */
public final class CompletionTracker {

    /** Verdict codes, in the order of {@link Checkpoint}'s counts. */
    public static final byte OPEN = 1;
    public static final byte CLOSED = 2;
    public static final byte FILTERED = 3;
    public static final byte ERROR = 4;

    private static final int INITIAL_RING = 1024;

    private final IndexRange range;
    private final int stripes;
    private final Stripe[] lanes;
    /** Reported verdicts waiting for their event to be delivered: position × 8 + verdict code, by event. */
    private final Map<Object, Long> awaiting = new ConcurrentHashMap<>();
    private final long[] counts = new long[5];
    private long watermark;

    public CompletionTracker(IndexRange range, int stripes) {
        if (stripes < 1) {
            throw new IllegalArgumentException("stripes must be >= 1: " + stripes);
        }
        this.range = range;
        this.stripes = stripes;
        this.lanes = new Stripe[stripes];
        for (int s = 0; s < stripes; s++) {
            long first = range.from() + s;
            long positions = first >= range.to() ? 0 : (range.to() - first + stripes - 1) / stripes;
            lanes[s] = new Stripe(positions);
        }
        this.watermark = range.from();
    }

    public IndexRange range() {
        return range;
    }

    /** Number of interleaved shares, as the scanner's lanes walk the range. */
    public int stripes() {
        return stripes;
    }

    /** Position {@code position} has its final verdict {@code code} (one of the constants above). */
    public void complete(long position, byte code) {
        if (!range.contains(position)) {
            throw new IndexOutOfBoundsException("position " + position + " outside " + range);
        }
        if (code < OPEN || code > ERROR) {
            throw new IllegalArgumentException("verdict code must be 1..4: " + code);
        }
        long offset = position - range.from();
        lanes[(int) (offset % stripes)].complete(offset / stripes, code);
    }

    /** Position {@code position} has its verdict {@code code}, reported by {@code event}: done once delivered. */
    public void awaitDelivery(Object event, long position, byte code) {
        if (!range.contains(position)) {
            throw new IndexOutOfBoundsException("position " + position + " outside " + range);
        }
        awaiting.put(event, position * 8 + code);
    }

    /**
     * The consumer has kept {@code event}: its position is done. Returns false for an event that was not
     * awaited (a service event, or one delivered before).
     */
    public boolean delivered(Object event) {
        Long packed = awaiting.remove(event);
        if (packed == null) {
            return false;
        }
        complete(packed >>> 3, (byte) (packed & 7));
        return true;
    }

    /** Reported verdicts whose events have not been delivered yet. */
    public int awaitingDelivery() {
        return awaiting.size();
    }

    /**
     * The watermark now, with the counts of every verdict below it; it never moves back. Positions below it are
     * forgotten, so memory stays bounded.
     */
    public synchronized Checkpoint checkpoint() {
        long lowest = range.to();
        for (int s = 0; s < stripes; s++) {
            long low = lanes[s].low();
            if (low < lanes[s].positions) {
                lowest = Math.min(lowest, range.from() + s + low * stripes);
            }
        }
        if (lowest > watermark) {
            for (int s = 0; s < stripes; s++) {
                long first = range.from() + s;
                long below = lowest <= first ? 0 : (lowest - first + stripes - 1) / stripes;
                lanes[s].fold(below, counts);
            }
            watermark = lowest;
        }
        return new Checkpoint(watermark, counts[OPEN], counts[CLOSED], counts[FILTERED], counts[ERROR]);
    }

    /** One interleaved share: a ring of verdicts from its oldest position not yet folded. */
    private static final class Stripe {
        final long positions;
        /** The first k not folded into the counts; ring[k & mask] holds k's verdict for base <= k. */
        private long base;
        /** The first k without a verdict (or {@code positions}). */
        private long low;
        private byte[] ring = new byte[INITIAL_RING];

        Stripe(long positions) {
            this.positions = positions;
        }

        synchronized long low() {
            return low;
        }

        synchronized void complete(long k, byte code) {
            if (k < base || k >= positions) {
                throw new IllegalStateException("position " + k + " of a stripe completed twice or out of range");
            }
            if (k - base >= ring.length) {
                grow(k - base + 1);
            }
            int slot = (int) (k & (ring.length - 1));
            if (ring[slot] != 0) {
                throw new IllegalStateException("position " + k + " of a stripe completed twice");
            }
            ring[slot] = code;
            advance();
        }

        private void advance() {
            while (low < positions && low - base < ring.length && ring[(int) (low & (ring.length - 1))] != 0) {
                low++;
            }
        }

        /** Adds the verdicts of k in [base, below) to {@code counts} and forgets them; below <= low. */
        synchronized void fold(long below, long[] counts) {
            int mask = ring.length - 1;
            for (long k = base; k < below; k++) {
                int slot = (int) (k & mask);
                counts[ring[slot]]++;
                ring[slot] = 0;
            }
            base = Math.max(base, below);
            advance();
        }

        private void grow(long needed) {
            int capacity = ring.length;
            while (capacity < needed) {
                capacity <<= 1;
            }
            byte[] bigger = new byte[capacity];
            int oldMask = ring.length - 1;
            int newMask = capacity - 1;
            for (long k = base; k < base + ring.length; k++) {
                bigger[(int) (k & newMask)] = ring[(int) (k & oldMask)];
            }
            ring = bigger;
        }
    }
}
