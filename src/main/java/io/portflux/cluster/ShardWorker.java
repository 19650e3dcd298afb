package io.portflux.cluster;

import io.portflux.scan.ScanPlan;
import io.portflux.scan.Scanner;
import io.portflux.scan.event.EventData;
import io.portflux.scan.shard.Checkpoint;
import io.portflux.scan.shard.RangeScan;
import io.portflux.scan.shard.Shards;
import io.portflux.store.ShardStore;
import io.portflux.store.StoreSignals;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * ShardWorker is every replica's part in the scans the replicas share: it claims ranges (up to
 * {@code portflux.cluster.ranges-per-replica} at once, and up to twice that for ranges another replica handed
 * back or left, while the in-flight budget has room), probes each from its watermark, and writes the range's
 * watermark with its results and events every {@code checkpoint-interval} (or batch), renewing the leases of the
 * ranges it holds every fifth of the lease time.
 *
 * <p>A range it loses (another replica took it over after its lease ran out, e.g. after a long pause) or whose
 * scan ended (a cancel on any replica, heard by NOTIFY) stops at once: the write that would have followed is
 * refused by its guard. At shutdown it stops its ranges and hands each back at its watermark, so another replica
 * takes it at once instead of after the lease; it stops with the shutdown signal, before the web server's
 * graceful shutdown, so the handover does not wait for the streams to end.
 */
public final class ShardWorker implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ShardWorker.class);
    /** Longest wait at shutdown for a claim in flight and the ranges' last writes (the hand-back). */
    private static final Duration HAND_BACK = Duration.ofSeconds(5);
    private static final Object END = new Object();
    private static final Object TICK = new Object();

    private final ShardStore store;
    private final Scanner scanner;
    private final PlanCodec codec;
    private final ClusterScans cluster;
    private final ClusterProperties properties;
    private final StoreSignals signals;
    private final ShardObserver observer;
    private final Clock clock;
    private final Duration progressInterval;
    private final int batchSize;
    private final Map<String, Held> held = new ConcurrentHashMap<>();
    private final Map<String, ScanPlan> plans = new ConcurrentHashMap<>();
    private final Sinks.Many<Object> wake = Sinks.many().multicast().directBestEffort();
    private volatile boolean running;
    private volatile boolean stopping;
    private volatile @Nullable Disposable claims;
    // Whether a claim may be in flight, and the signal that the last one has ended once stopping: see stop().
    private volatile boolean filling;
    private final Sinks.Empty<Void> claimsOver = Sinks.empty();
    private volatile @Nullable Disposable renewals;
    private volatile @Nullable Disposable cancels;

    public ShardWorker(ShardStore store, Scanner scanner, PlanCodec codec, ClusterScans cluster,
            ClusterProperties properties, StoreSignals signals, ShardObserver observer, Clock clock,
            Duration progressInterval, int batchSize) {
        this.store = store;
        this.scanner = scanner;
        this.codec = codec;
        this.cluster = cluster;
        this.properties = properties;
        this.signals = signals;
        this.observer = observer;
        this.clock = clock;
        this.progressInterval = progressInterval;
        this.batchSize = batchSize;
    }

    /** One range this replica holds: its claim, its stop switch, and what was last written of it. */
    private final class Held {
        final ShardStore.Claim claim;
        final Sinks.One<String> stop = Sinks.one();
        final Sinks.Empty<Void> over = Sinks.empty();
        volatile Checkpoint written;

        Held(ShardStore.Claim claim) {
            this.claim = claim;
            this.written = claim.stored();
        }

        String key() {
            return claim.scanId() + "#" + claim.index();
        }
    }

    /** Ranges this replica holds now. */
    public int holding() {
        return held.size();
    }

    @Override
    public void start() {
        if (running) {
            return;
        }
        running = true;
        if (!cluster.active()) {
            return;
        }
        claims = Flux.merge(Flux.interval(Duration.ZERO, properties.claimInterval()), signals.shards(), wake.asFlux())
                .onBackpressureLatest()
                .concatMap(tick -> Mono.defer(() -> {
                    filling = true; // written before fill() reads stopping; stop() writes stopping, then reads this
                    return fill();
                }).onErrorResume(error -> {
                    log.warn("could not claim a range: {}", error.toString());
                    return Mono.empty();
                }).doFinally(signal -> filled()), 1)
                .subscribe();
        Duration every = properties.leaseTime().dividedBy(5);
        renewals = Flux.interval(every, every)
                .onBackpressureDrop()
                .concatMap(tick -> renew(), 1)
                .subscribe();
        cancels = signals.cancels().subscribe(id -> held.values().stream()
                .filter(h -> h.claim.scanId().equals(id))
                .forEach(h -> h.stop.tryEmitValue("cancelled")));
    }

    // Claims ranges until this replica holds its share, or none is left. Beyond its share, it takes ranges that
    // another replica left (handed back at shutdown, or lease run out) while its in-flight budget has room for one
    // more range like the busiest it runs, up to twice its share: a rolling update then does not leave a handed-back
    // range waiting until a range ends here and frees a slot.
    private Mono<Void> fill() {
        return Mono.defer(() -> {
            int holding = held.size();
            if (stopping || holding >= 2 * properties.rangesPerReplica()) {
                return Mono.empty();
            }
            Mono<ShardStore.Claim> claim;
            if (holding < properties.rangesPerReplica()) {
                claim = store.claim(clock.instant(), properties.leaseTime());
            } else if (scanner.spareProbes() >= busiest()) {
                claim = store.claimLeftOver(clock.instant(), properties.leaseTime());
            } else {
                return Mono.empty();
            }
            return claim.flatMap(claimed -> {
                run(claimed);
                return fill();
            });
        });
    }

    // The most probes one range held here may have in flight: its scan's concurrency.
    private long busiest() {
        return held.values().stream()
                .map(h -> plans.get(h.claim.scanId()))
                .mapToLong(plan -> plan == null ? 0 : plan.concurrency())
                .max()
                .orElse(0);
    }

    private void run(ShardStore.Claim claim) {
        Held h = new Held(claim);
        held.put(h.key(), h);
        observer.claimed(claim.takenOver());
        observer.holding(held.size());
        log.info("range {} of scan {} [{}, {}) {} at {}{}", claim.index(), claim.scanId(), claim.range().from(),
                claim.range().to(), claim.action(), claim.stored().watermark(),
                claim.previous() == null ? "" : " (from " + claim.previous() + ")");
        Mono<Void> work;
        try {
            ScanPlan plan = plans.computeIfAbsent(claim.scanId(), id -> codec.read(claim.plan()));
            Integer rate = Shards.rateShare(plan.rate(), cluster.liveReplicas(), properties.rangesPerReplica());
            // A range another holder left may have open ports stored whose detection died with that holder: they
            // are detected here, so that the scan's done has a detected service for every open port.
            Mono<List<EventData.Port>> undetected = plan.detect() && claim.previous() != null
                    ? store.undetected(claim.scanId(), claim.index()).collectList()
                    : Mono.just(List.of());
            work = undetected.flatMap(ports -> {
                if (!ports.isEmpty()) {
                    log.info("range {} of scan {}: detecting {} open port(s) that {} stored undetected", claim.index(),
                            claim.scanId(), ports.size(), claim.previous());
                }
                return pump(h, scanner.scanRange(plan, claim.range().from(claim.stored().watermark()), rate, ports,
                        h.stop.asMono()));
            });
        } catch (RuntimeException e) {
            log.error("range {} of scan {} cannot run here; its lease will run out", claim.index(), claim.scanId(), e);
            work = Mono.empty();
        }
        work.doFinally(signal -> {
            held.remove(h.key(), h);
            observer.holding(held.size());
            if (held.values().stream().noneMatch(other -> other.claim.scanId().equals(claim.scanId()))) {
                plans.remove(claim.scanId());
            }
            h.over.tryEmitEmpty();
            poke();
        }).subscribe(null, error -> log.warn("range {} of scan {} broke off: {}", claim.index(), claim.scanId(),
                error.toString()));
    }

    // The range's events in batches of at most batch-size or checkpoint-interval, each written with the
    // watermark it reached; a tick keeps the watermark moving when no event comes. Ends after the last write.
    private Mono<Void> pump(Held h, RangeScan range) {
        Duration interval = properties.checkpointInterval();
        Flux<Object> events = range.events().<Object>map(e -> e)
                .onErrorResume(error -> {
                    log.warn("range {} of scan {} failed here, handing it back: {}", h.claim.index(),
                            h.claim.scanId(), error.toString());
                    return Mono.empty();
                })
                .concatWith(Mono.just(END));
        return Flux.merge(events, Flux.interval(interval, interval).map(tick -> TICK))
                .takeUntil(item -> item == END)
                .onBackpressureBuffer()
                .bufferTimeout(batchSize, interval, true)
                .concatMap(batch -> write(h, range, batch), 1)
                .takeUntil(outcome -> outcome != ShardStore.Outcome.WRITTEN)
                .then();
    }

    private Mono<ShardStore.Outcome> write(Held h, RangeScan range, List<Object> batch) {
        List<EventData> events = new ArrayList<>(batch.size());
        boolean end = false;
        for (Object item : batch) {
            if (item == END) {
                end = true;
            } else if (item instanceof EventData event) {
                events.add(event);
                if (event instanceof EventData.Port) {
                    range.tracker().delivered(event);
                }
            }
        }
        Checkpoint reached = range.tracker().checkpoint();
        Checkpoint stored = h.claim.stored();
        Checkpoint absolute = new Checkpoint(reached.watermark(), stored.open() + reached.open(),
                stored.closed() + reached.closed(), stored.filtered() + reached.filtered(),
                stored.errors() + reached.errors());
        ShardStore.End kind = !end ? ShardStore.End.NONE
                : reached.watermark() == h.claim.range().to() ? ShardStore.End.FINISHED : ShardStore.End.HANDED_BACK;
        if (kind == ShardStore.End.NONE && events.isEmpty() && absolute.equals(h.written)) {
            return Mono.just(ShardStore.Outcome.WRITTEN);
        }
        ShardStore.Batch write = new ShardStore.Batch(h.claim.scanId(), h.claim.index(), h.claim.epoch(),
                h.claim.range(), absolute, h.written, events, kind);
        // No retry: a commit whose answer was lost may have happened, and a second write would add its counts
        // twice. A range that cannot be written is given up; after its lease another replica resumes it from the
        // last watermark that was stored.
        return store.write(write, clock.instant(), properties.leaseTime(), progressInterval)
                .onErrorResume(error -> {
                    log.warn("range {} of scan {} could not be stored, giving it up: {}", h.claim.index(),
                            h.claim.scanId(), error.toString());
                    return Mono.just(ShardStore.Outcome.LOST);
                })
                .doOnNext(outcome -> {
                    if (outcome == ShardStore.Outcome.WRITTEN) {
                        h.written = absolute;
                        if (kind == ShardStore.End.FINISHED) {
                            observer.finished();
                        } else if (kind == ShardStore.End.HANDED_BACK) {
                            observer.handedBack();
                            log.info("range {} of scan {} handed back at {}", h.claim.index(), h.claim.scanId(),
                                    absolute.watermark());
                        }
                    } else {
                        observer.dropped();
                        log.info("range {} of scan {} stopped here: {}", h.claim.index(), h.claim.scanId(),
                                outcome == ShardStore.Outcome.LOST ? "another replica holds it" : "the scan has ended");
                        h.stop.tryEmitValue("stopped");
                    }
                });
    }

    private Mono<Void> renew() {
        List<ShardStore.Held> list = held.values().stream()
                .map(h -> new ShardStore.Held(h.claim.scanId(), h.claim.index(), h.claim.epoch()))
                .toList();
        if (list.isEmpty()) {
            return Mono.empty();
        }
        return store.renew(list, clock.instant(), properties.leaseTime())
                .doOnNext(observer::leaseRenewed)
                .onErrorResume(error -> {
                    log.warn("could not renew the leases of {} range(s): {}", list.size(), error.toString());
                    return Mono.empty();
                })
                .then();
    }

    private void poke() {
        synchronized (wake) {
            wake.tryEmitNext(TICK);
        }
    }

    @Override
    public void stop() {
        stop(() -> { });
    }

    private void filled() {
        filling = false;
        if (stopping) {
            claimsOver.tryEmitEmpty();
        }
    }

    /**
     * Stops claiming, lets a claim in flight end, stops every held range and hands it back at its watermark, then
     * reports stopped. A claim is not cancelled: one cancelled after its row was written would leave a range claimed
     * in the store that this replica never runs, to wait for its lease to run out.
     */
    @Override
    public void stop(Runnable callback) {
        stopping = true; // from here fill() claims nothing more; a claim that saw it unset has set filling
        Mono<Void> claimed = filling ? claimsOver.asMono() : Mono.empty();
        claimed.then(Mono.defer(this::handBack))
                .timeout(HAND_BACK, Mono.fromRunnable(() -> {
                    dispose(claims);
                    held.values().forEach(h -> h.stop.tryEmitValue("shutdown"));
                    log.warn("{} range(s) not handed back within {}; their leases will run out", held.size(),
                            HAND_BACK);
                }))
                .doFinally(signal -> {
                    dispose(renewals);
                    dispose(cancels);
                    running = false;
                    callback.run();
                })
                .subscribe();
    }

    // Stops every held range; completes once each has been handed back.
    private Mono<Void> handBack() {
        dispose(claims);
        List<Mono<Void>> over = new ArrayList<>();
        for (Held h : held.values()) {
            h.stop.tryEmitValue("shutdown");
            over.add(h.over.asMono());
        }
        if (!over.isEmpty()) {
            log.info("handing back {} range(s) at their watermarks", over.size());
        }
        return Mono.when(over);
    }

    private static void dispose(@Nullable Disposable disposable) {
        if (disposable != null) {
            disposable.dispose();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        // With the shutdown signal, before the web server: the hand-back does not wait for open streams.
        return Integer.MAX_VALUE;
    }
}
