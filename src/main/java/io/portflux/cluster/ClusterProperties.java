package io.portflux.cluster;

import io.portflux.input.Settings;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * ClusterProperties configure scans shared by the replicas ({@code portflux.cluster.*}); they take effect only
 * with PostgreSQL as the store.
 *
 * @param enabled whether this replica works on shared scans (claims their ranges) and may start them
 * @param ranges how many ranges a shared scan's probe space is cut into (fewer when it has fewer probes)
 * @param autoThreshold with {@code distribute=auto}, the fewest probes for which a background scan is shared,
 *     when more than one replica is live
 * @param rangesPerReplica most ranges this replica claims at once, each probed with the scan's {@code
 *     concurrency}; the in-flight budget ({@code portflux.probe.in-flight-budget}) bounds them together. Beyond
 *     it, up to twice it, the replica takes ranges that another replica handed back or left (lease run out)
 *     while the budget has room for one more range, so that a hand-back does not wait for a slot to free
 * @param leaseTime how long a range stays with a holder that stops renewing it; then another replica takes it
 *     over from its watermark; the holder renews every fifth of it
 * @param checkpointInterval longest time between two writes of a range's watermark, results and events
 * @param claimInterval longest time an idle replica waits before it looks for a range to claim (a notification
 *     wakes it sooner when ranges are added or handed back)
 */
@ConfigurationProperties("portflux.cluster")
public record ClusterProperties(
        boolean enabled,
        int ranges,
        long autoThreshold,
        int rangesPerReplica,
        Duration leaseTime,
        Duration checkpointInterval,
        Duration claimInterval) {

    public ClusterProperties {
        Settings.range("portflux.cluster.ranges", ranges, 1, 4096);
        Settings.atLeast("portflux.cluster.auto-threshold", autoThreshold, 1);
        Settings.range("portflux.cluster.ranges-per-replica", rangesPerReplica, 1, 64);
        Settings.required("portflux.cluster.lease-time", leaseTime);
        Settings.required("portflux.cluster.checkpoint-interval", checkpointInterval);
        Settings.required("portflux.cluster.claim-interval", claimInterval);
    }
}
