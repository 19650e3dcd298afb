package io.portflux.scan.shard;

/**
 * IndexRange is the half-open range {@code [from, to)} of positions in a scan's probe order (the positions of
 * its seeded permutation, not the host × port indexes they map to).
 */
public record IndexRange(long from, long to) {

    public IndexRange {
        if (from < 0 || to < from) {
            throw new IllegalArgumentException("need 0 <= from <= to: [" + from + ", " + to + ")");
        }
    }

    /** Number of positions in the range. */
    public long size() {
        return to - from;
    }

    /** Whether no position is left. */
    public boolean isEmpty() {
        return to == from;
    }

    /** Whether {@code position} lies in the range. */
    public boolean contains(long position) {
        return position >= from && position < to;
    }

    /** The rest of this range from {@code watermark} on: {@code [watermark, to)}. */
    public IndexRange from(long watermark) {
        if (watermark < from || watermark > to) {
            throw new IllegalArgumentException("watermark " + watermark + " outside [" + from + ", " + to + "]");
        }
        return new IndexRange(watermark, to);
    }

    @Override
    public String toString() {
        return "[" + from + ", " + to + ")";
    }
}
