package io.portflux.scan.shard;

import java.util.ArrayList;
import java.util.List;

/**
 * Shards cuts a probe space of {@code size} positions into contiguous ranges.
 *
 * <p>The cut is balanced: with {@code n} ranges, the first {@code size % n} hold one position more than the
 * others, so no two differ by more than one and none is empty (a space smaller than the number of ranges asked
 * for gets one range per position). The ranges are computed from the size alone, without a division whose
 * rounding could leave a position out, which is how zmap lost targets when shards did not divide evenly.
 */
public final class Shards {

    private Shards() {}

    /** The ranges of a space of {@code size} positions cut into at most {@code ranges} pieces, in order. */
    public static List<IndexRange> cut(long size, int ranges) {
        if (size < 0) {
            throw new IllegalArgumentException("size must be >= 0: " + size);
        }
        if (ranges < 1) {
            throw new IllegalArgumentException("ranges must be >= 1: " + ranges);
        }
        int n = (int) Math.min(ranges, Math.max(1, size));
        long quotient = size / n;
        long remainder = size % n;
        List<IndexRange> cut = new ArrayList<>(n);
        long from = 0;
        for (int i = 0; i < n; i++) {
            long to = from + quotient + (i < remainder ? 1 : 0);
            cut.add(new IndexRange(from, to));
            from = to;
        }
        return List.copyOf(cut);
    }

    /**
     * The rate of one range when a scan-wide {@code rate} is shared by {@code replicas} replicas holding up to
     * {@code rangesPerReplica} ranges each: never above the scan's rate in total, never below 1; null (no cap)
     * stays null.
     */
    public static Integer rateShare(Integer rate, int replicas, int rangesPerReplica) {
        if (rate == null) {
            return null;
        }
        long ways = (long) Math.max(1, replicas) * Math.max(1, rangesPerReplica);
        return (int) Math.max(1, rate / ways);
    }
}
