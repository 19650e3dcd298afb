package io.portflux.scan.shard;

/**
 * Checkpoint is where a range stands: every position below {@code watermark} has its final verdict (and the
 * events of those that are reported have been delivered), and these are the counts of those verdicts.
 */
public record Checkpoint(long watermark, long open, long closed, long filtered, long errors) {

    /** Verdicts counted: all positions of the range below the watermark. */
    public long scanned() {
        return open + closed + filtered + errors;
    }

    /** These counts plus {@code other}'s, at this watermark. */
    public Checkpoint plus(Checkpoint other) {
        return new Checkpoint(watermark, open + other.open, closed + other.closed, filtered + other.filtered,
                errors + other.errors);
    }
}
