package io.portflux.web.scans;

import io.portflux.cluster.ClusterScans;
import io.portflux.scan.ScanRequest;
import io.portflux.scan.ScanStatus;
import io.portflux.scan.event.EventData;
import io.portflux.scan.event.ScanEvent;
import io.portflux.store.ScanQuery;
import io.portflux.store.ScanStore;
import io.portflux.store.StoreProperties;
import io.portflux.store.StoredScan;
import io.portflux.web.quota.QuotaExceededException;
import io.portflux.web.quota.Reservation;
import io.portflux.web.stream.ShutdownSignal;
import jakarta.annotation.PreDestroy;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * ScanRegistry starts background scans, records them in the {@link ScanStore}, and serves their snapshots,
 * journals and cancellation.
 *
 * <p>The store is the record; this process also keeps the scans it runs in memory until their last event
 * is stored, so that watchers here follow the live journal without a round trip to the database (the
 * in-process path), and so that the probes never wait on it. Everything else (finished scans, scans of
 * other replicas, scans from before a restart) is read from the store. Retention is the store's: one
 * DELETE with the age and count limits.
 */
@Component
public class ScanRegistry {

    static final String CANCELLED_BY_REQUEST = "cancelled by request";

    private static final Logger log = LoggerFactory.getLogger(ScanRegistry.class);
    private static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(5);
    private static final Duration SWEEP = Duration.ofSeconds(30);
    // Events decoded per read while replaying from the store: each replaying watcher holds one page.
    private static final int REPLAY_PAGE = 250;

    private final ScanLauncher launcher;
    private final RegistryProperties properties;
    private final ScanStore store;
    private final Duration pollInterval;
    private final Duration localGrace;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, BackgroundScan> local = new ConcurrentHashMap<>();
    /** Completes when the scan's last event is stored, for the scans in {@link #local}. */
    private final Map<String, Mono<Void>> storing = new ConcurrentHashMap<>();
    private final AtomicInteger slotsTaken = new AtomicInteger();
    private final Mono<Long> recovered;
    private final Disposable sweeper;
    private final Disposable cancels;
    private final ShutdownSignal shutdown;
    private final ClusterScans cluster;

    public ScanRegistry(ScanLauncher launcher, RegistryProperties properties, ScanStore store,
            StoreProperties storeProperties, ShutdownSignal shutdown, ObjectProvider<Clock> clock,
            ClusterScans cluster) {
        this.launcher = launcher;
        this.cluster = cluster;
        this.shutdown = shutdown;
        this.properties = properties;
        this.store = store;
        this.pollInterval = storeProperties.pollInterval();
        this.localGrace = storeProperties.localGrace();
        this.clock = clock.getIfAvailable(Clock::systemUTC);
        // Scans a dead process left running are settled before anything is read or written.
        this.recovered = store.recover(this.clock.instant())
                .onErrorResume(error -> {
                    log.error("could not mark scans left running as interrupted", error);
                    return Mono.just(0L);
                })
                .cache();
        this.recovered.subscribe();
        this.cancels = store.signals().cancels().subscribe(this::cancelledElsewhere);
        // A sweep that takes longer than the period skips the ticks that came meanwhile.
        this.sweeper = Flux.interval(SWEEP, SWEEP)
                .onBackpressureDrop()
                .concatMap(tick -> expire().onErrorResume(error -> {
                    log.warn("retention sweep failed: {}", error.toString());
                    return Mono.empty();
                }))
                .subscribe();
    }

    /**
     * Validates {@code request} exactly like the streaming endpoint, records it, then starts it in the
     * background for {@code client}. Errors: the planner's 400/403/413 exceptions,
     * {@link TooManyScansException}, or {@link QuotaExceededException}. A refused request leaves nothing
     * behind: every place it reserved is given back, and no row is written.
     */
    public Mono<BackgroundScan> start(ScanRequest request, String client) {
        return Mono.defer(() -> launcher.launch(request, client, "background", reserve(), plan -> {
                    BackgroundScan scan = new BackgroundScan(newId(), request, clock.instant(),
                            properties.journalMaxEvents());
                    if (cluster.distributes(plan)) {
                        // Shared by the replicas: its events are the store's, and any replica serves them.
                        scan.share(plan, stop -> followShared(scan.id(), stop));
                    } else {
                        local.put(scan.id(), scan);
                    }
                    return scan;
                })
                .flatMap(launched -> recovered.then(create(launched.scan()))
                        .then(Mono.fromCallable(() -> launched.scan().sharedPlan() != null
                                ? runShared(launched)
                                : run(launched)))
                        .onErrorResume(error -> {
                            // Never started: cancelling the unsubscribed scan gives its reservations back.
                            local.remove(launched.scan().id());
                            launched.events().subscribe().dispose();
                            return Mono.error(error);
                        })));
    }

    private BackgroundScan run(ScanLauncher.Launched<BackgroundScan> launched) {
        BackgroundScan scan = launched.scan();
        Flux<ScanEvent> events = launched.events().doOnNext(event -> scan.record(event, clock.instant()));
        Mono<Void> stored = store.record(scan.id(), events)
                .doOnError(error -> log.error("scan {} broke off", scan.id(), error))
                .onErrorResume(error -> Mono.empty())
                // Watchers that come soon after the end share the journal's events instead of each decoding its
                // own copy from the store; after the grace time the store serves them.
                .doFinally(signal -> forgetLater(scan))
                .cache();
        storing.put(scan.id(), stored);
        scan.attach(stored.subscribe());
        // At shutdown the scan ends with done; its last batch must reach the store before the pool closes.
        shutdown.holdFor(stored);
        return scan;
    }

    private Mono<Void> create(BackgroundScan scan) {
        return scan.sharedPlan() != null
                ? cluster.create(scan.id(), scan.request(), scan.sharedPlan(), scan.createdAt())
                : store.create(scan.id(), scan.request(), scan.createdAt());
    }

    // A shared scan runs on every replica's worker (this one's included); here its events are only followed, for
    // the audit line and to hold the client's reservations until it ends.
    private BackgroundScan runShared(ScanLauncher.Launched<BackgroundScan> launched) {
        BackgroundScan scan = launched.scan();
        log.info("scan {} is shared by the replicas", scan.id());
        scan.attach(launched.events().subscribe(null,
                error -> log.warn("lost track of shared scan {}: {}", scan.id(), error.toString())));
        return scan;
    }

    // A shared scan as the replica that started it follows it: its started event, then its done once stored.
    // Its stop signal (the duration limit) cancels it on every replica.
    private Flux<ScanEvent> followShared(String id, Mono<String> stop) {
        Flux<ScanEvent> terminal = Flux.<Object>merge(Flux.just(0L),
                        store.signals().changes().filter(id::equals).sample(Duration.ofMillis(500)),
                        Flux.interval(pollInterval, pollInterval))
                .onBackpressureLatest()
                .concatMap(look -> store.terminal(id), 1)
                .take(1);
        Mono<ScanEvent> cancel = stop.flatMap(message -> cluster.cancel(id, message)).then(Mono.empty());
        return store.events(id, 0, 1).concatWith(Flux.merge(terminal, cancel).take(1));
    }

    /** The scan with {@code id} as it stands now, or a {@link ScanNotFoundException}. */
    public Mono<ScanSnapshot> snapshot(String id) {
        return Mono.defer(() -> {
            BackgroundScan scan = local(id);
            return scan != null ? Mono.just(scan.snapshot()) : stored(id).map(ScanSnapshot::of);
        });
    }

    /** One page of scans, newest first, after the retention limits have been applied. */
    public Mono<List<ScanSnapshot>> list(ScanQuery query) {
        return expire().thenMany(store.list(query))
                .map(stored -> {
                    BackgroundScan scan = local(stored.id());
                    return scan != null ? scan.snapshot() : ScanSnapshot.of(stored);
                })
                .collectList();
    }

    /**
     * The events of scan {@code id} after {@code afterId}, then its live ones, ending after {@code done};
     * a {@link ScanNotFoundException} when there is no such scan.
     */
    public Mono<Flux<ScanEvent>> events(String id, long afterId) {
        return Mono.defer(() -> {
            BackgroundScan scan = local(id);
            if (scan != null) {
                return Mono.just(scan.journal().follow(afterId));
            }
            return stored(id).map(found -> replay(id, afterId));
        });
    }

    // Stored events after the cursor, page by page, then, while the scan runs elsewhere, newer ones as they are
    // committed: a store signal (a NOTIFY from the writer on PostgreSQL) or, failing one, the poll interval
    // makes it look again. The signals are followed from the start, so none is lost between a read and a wait.
    // Ends with the scan's done event, which is sent even when the cursor is at or past it.
    private Flux<ScanEvent> replay(String id, long afterId) {
        return Flux.defer(() -> {
            AtomicLong cursor = new AtomicLong(afterId);
            Flux<Object> looks = Flux.<Object>merge(Flux.just(0L), store.signals().changes().filter(id::equals),
                            Flux.interval(pollInterval, pollInterval))
                    .onBackpressureLatest();
            return looks.concatMap(look -> StoredReplay.after(store, id, cursor, REPLAY_PAGE), 1)
                    .takeUntil(event -> event.data() instanceof EventData.Done);
        });
    }

    /**
     * Cancels scan {@code id}: here if it runs here; if it runs on another replica, by a request on its row
     * that wakes that replica up. A finished scan stays as it is. Emits its snapshot, or a
     * {@link ScanNotFoundException}.
     */
    public Mono<ScanSnapshot> cancel(String id) {
        return Mono.defer(() -> {
            BackgroundScan scan = local(id);
            if (scan != null) {
                scan.cancel(CANCELLED_BY_REQUEST);
                return Mono.just(scan.snapshot());
            }
            return stored(id).flatMap(found -> (found.status() != ScanStatus.RUNNING ? Mono.<Void>empty()
                    : found.distributed() ? cluster.cancel(id, CANCELLED_BY_REQUEST).then()
                    : store.requestCancel(id).then()).thenReturn(ScanSnapshot.of(found)));
        });
    }

    // A cancel asked for on another replica (or written on the row while a wake-up was lost).
    private void cancelledElsewhere(String id) {
        BackgroundScan scan = local(id);
        if (scan != null && scan.cancel(CANCELLED_BY_REQUEST)) {
            log.info("scan {} cancelled by a request to another replica", id);
        }
    }

    private void forgetLater(BackgroundScan scan) {
        if (localGrace.isZero()) {
            forget(scan);
        } else {
            Mono.delay(localGrace).subscribe(tick -> forget(scan));
        }
    }

    private void forget(BackgroundScan scan) {
        if (local.remove(scan.id(), scan)) {
            storing.remove(scan.id());
        }
    }

    /**
     * Completes once every event of scan {@code id} is in the store: when this process has run it, after its last
     * batch is written (so wait only for a scan that has finished here); at once for any other scan.
     */
    public Mono<Void> storedFully(String id) {
        return Mono.defer(() -> storing.getOrDefault(id, Mono.empty()));
    }

    /** The scan with {@code id} that this process runs, or whose last events it is still storing; or null. */
    BackgroundScan local(String id) {
        return id == null ? null : local.get(id);
    }

    /** The scans this process runs or is still storing, newest first. */
    public List<BackgroundScan> local() {
        return local.values().stream()
                .sorted(Comparator.comparing(BackgroundScan::createdAt).reversed().thenComparing(BackgroundScan::id))
                .toList();
    }

    /** Scans running in this process now. */
    public int running() {
        return (int) local.values().stream().filter(BackgroundScan::running).count();
    }

    /** Applies the retention limits in the store: finished scans past their age, then beyond the count. */
    Mono<Long> expire() {
        return Mono.defer(() -> expire(clock.instant()));
    }

    /** {@link #expire()} as if it were {@code now}. */
    Mono<Long> expire(Instant now) {
        return recovered.then(store.expire(now.minus(properties.retention()), properties.maxRetained()));
    }

    private Mono<StoredScan> stored(String id) {
        return recovered.then(store.find(id)).switchIfEmpty(Mono.error(() -> new ScanNotFoundException(id)));
    }

    @PreDestroy
    void close() {
        sweeper.dispose();
        cancels.dispose();
    }

    private Reservation reserve() {
        if (slotsTaken.incrementAndGet() > properties.maxRunning()) {
            slotsTaken.decrementAndGet();
            throw new TooManyScansException(properties.maxRunning(), retryAfter());
        }
        return new Reservation(slotsTaken::decrementAndGet);
    }

    // The soonest expected end of a running scan, so clients do not retry blindly.
    private Duration retryAfter() {
        return local.values().stream()
                .filter(BackgroundScan::running)
                .map(s -> s.snapshot().etaMs())
                .filter(eta -> eta != null && eta > 0)
                .min(Long::compare)
                .map(eta -> Duration.ofMillis(eta).plusSeconds(1))
                .filter(d -> d.compareTo(Duration.ofMinutes(10)) < 0)
                .orElse(DEFAULT_RETRY_AFTER);
    }

    private String newId() {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
