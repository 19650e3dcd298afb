package io.portflux.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.portflux.cluster.ShardObserver;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * MicrometerShardObserver counts what this replica does with the ranges of shared scans: ranges claimed (and
 * of those, taken over from a replica whose lease ran out), finished, handed back and dropped, lease renewals,
 * and the ranges held now.
 */
public final class MicrometerShardObserver implements ShardObserver {

    private final Counter claimed;
    private final Counter takenOver;
    private final Counter finished;
    private final Counter handedBack;
    private final Counter dropped;
    private final Counter renewals;
    private final AtomicInteger held = new AtomicInteger();

    public MicrometerShardObserver(MeterRegistry registry) {
        claimed = Counter.builder("portflux.shards.claimed")
                .description("Ranges of shared scans this replica claimed, taken over ones included")
                .register(registry);
        takenOver = Counter.builder("portflux.shards.taken.over")
                .description("Ranges this replica took over from a replica whose lease had run out")
                .register(registry);
        finished = Counter.builder("portflux.shards.finished")
                .description("Ranges this replica finished: every probe of the range has its verdict")
                .register(registry);
        handedBack = Counter.builder("portflux.shards.handed.back")
                .description("Ranges this replica handed back at their watermark (shutdown, or a fault)")
                .register(registry);
        dropped = Counter.builder("portflux.shards.dropped")
                .description("Ranges this replica stopped because another holds them or their scan ended")
                .register(registry);
        renewals = Counter.builder("portflux.shards.lease.renewals")
                .description("Lease renewals of the ranges this replica holds, one per range renewed")
                .register(registry);
        Gauge.builder("portflux.shards.held", held, AtomicInteger::get)
                .description("Ranges of shared scans this replica holds now")
                .strongReference(true)
                .register(registry);
    }

    @Override
    public void claimed(boolean wasTakenOver) {
        claimed.increment();
        if (wasTakenOver) {
            takenOver.increment();
        }
    }

    @Override
    public void finished() {
        finished.increment();
    }

    @Override
    public void handedBack() {
        handedBack.increment();
    }

    @Override
    public void dropped() {
        dropped.increment();
    }

    @Override
    public void leaseRenewed(long ranges) {
        renewals.increment(ranges);
    }

    @Override
    public void holding(int ranges) {
        held.set(ranges);
    }
}
