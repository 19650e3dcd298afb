package io.portflux.cluster;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

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
@Validated
@ConfigurationProperties("portflux.cluster")
public record ClusterProperties(
        boolean enabled,
        @Min(1) @Max(4096) int ranges,
        @Min(1) long autoThreshold,
        @Min(1) @Max(64) int rangesPerReplica,
        @NotNull Duration leaseTime,
        @NotNull Duration checkpointInterval,
        @NotNull Duration claimInterval) {}
