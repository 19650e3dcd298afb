package io.portflux.cluster;

import io.portflux.scan.ScanPlan;
import io.portflux.scan.ScanRequest;
import io.portflux.scan.Scanner;
import io.portflux.scan.shard.Shards;
import io.portflux.store.ShardStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * ClusterScans decides which background scans the replicas share, starts them (their row, their ranges and their
 * {@code started} event) and cancels them, and keeps count of the live replicas.
 *
 * <p>A scan is shared with {@code distribute=on}, or with {@code auto} (the default) when it has at least
 * {@code portflux.cluster.auto-threshold} probes and more than one replica is live; never with {@code off}, never
 * on the embedded store, and never when {@code portflux.cluster.enabled} is false. Every other scan runs as
 * before: on the replica that got the request, alone.
 */
public final class ClusterScans implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ClusterScans.class);
    /** Fewest probes in a range when a scan is small: a range costs a claim and a few writes. */
    static final long MIN_RANGE = 256;

    private final ShardStore store;
    private final Scanner scanner;
    private final ClusterProperties properties;
    private final PlanCodec codec;
    private final Clock clock;
    private final Disposable counting;
    private volatile int live = 1;

    /**
     * @param replicaLease a replica whose lease ({@code portflux.store.lease-time}) was renewed within this time is
     *     counted as live
     */
    public ClusterScans(ShardStore store, Scanner scanner, ClusterProperties properties, PlanCodec codec,
            Duration replicaLease, Clock clock) {
        this.store = store;
        this.scanner = scanner;
        this.properties = properties;
        this.codec = codec;
        this.clock = clock;
        Duration every = replicaLease.dividedBy(5);
        this.counting = !active() ? () -> { } : Flux.interval(Duration.ZERO, every)
                .onBackpressureDrop()
                .concatMap(tick -> store.liveReplicas(clock.instant().minus(replicaLease))
                        .onErrorResume(error -> {
                            log.debug("could not count the live replicas: {}", error.toString());
                            return Mono.empty();
                        }), 1)
                .subscribe(n -> live = Math.max(1, n));
    }

    /** Whether this replica works on shared scans at all: PostgreSQL, and not switched off. */
    public boolean active() {
        return properties.enabled() && store.available();
    }

    /** Replicas whose lease is current, this one included (at least 1). */
    public int liveReplicas() {
        return live;
    }

    /** Whether the background scan of {@code plan} is shared by the replicas. */
    public boolean distributes(ScanPlan plan) {
        if (!active()) {
            return false;
        }
        return switch (plan.distribute()) {
            case "on" -> true;
            case "off" -> false;
            default -> plan.total() >= properties.autoThreshold() && live > 1;
        };
    }

    /** Writes shared scan {@code id}: its row and plan, its ranges, and {@code started} as event 1. */
    public Mono<Void> create(String id, ScanRequest request, ScanPlan plan, Instant createdAt) {
        int ranges = (int) Math.max(1, Math.min(properties.ranges(), plan.total() / MIN_RANGE));
        return Mono.defer(() -> store.create(id, request, createdAt, codec.write(plan),
                Shards.cut(plan.total(), ranges), scanner.startedEvent(id, plan, createdAt)));
    }

    /** Ends shared scan {@code id} as cancelled with {@code message} on every replica; emits whether it ran. */
    public Mono<Boolean> cancel(String id, String message) {
        return Mono.defer(() -> store.cancel(id, message, clock.instant()));
    }

    @Override
    public void close() {
        counting.dispose();
    }
}
