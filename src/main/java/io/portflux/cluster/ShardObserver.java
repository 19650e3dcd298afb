package io.portflux.cluster;

/** ShardObserver hears what this replica does with the ranges of shared scans, for metrics. */
public interface ShardObserver {

    /** An observer that does nothing. */
    ShardObserver NONE = new ShardObserver() {};

    /** This replica claimed a range; {@code takenOver} when its holder's lease had run out. */
    default void claimed(boolean takenOver) {}

    /** This replica finished a range: every position has its verdict. */
    default void finished() {}

    /** This replica handed a range back at its watermark (shutdown, or a fault). */
    default void handedBack() {}

    /** This replica lost a range it held (another took it over) or found its scan ended. */
    default void dropped() {}

    /** This replica renewed the leases of {@code ranges} ranges it holds. */
    default void leaseRenewed(long ranges) {}

    /** Ranges this replica holds now. */
    default void holding(int ranges) {}
}
