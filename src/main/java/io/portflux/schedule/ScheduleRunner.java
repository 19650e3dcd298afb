package io.portflux.schedule;

import io.portflux.results.PortChange;
import io.portflux.results.ScanDiff;
import io.portflux.results.ScanExport;
import io.portflux.results.ScanScope;
import io.portflux.scan.ScanStatus;
import io.portflux.web.scans.ScanRegistry;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import tools.jackson.databind.json.JsonMapper;

/**
 * ScheduleRunner runs the schedules' ticks. Every poll interval each replica reads the schedules that are due and
 * tries to claim each due tick in the store; the one replica whose claim matches starts the run, as an ordinary
 * background scan through the registry (the launch path of {@code POST /api/scans}, with the client
 * {@code schedule:<name>}). A tick that comes while the schedule's previous run is still going is skipped and
 * counted. A look up to four poll intervals late still runs each tick; ticks older than that passed while no
 * replica ran the schedule and are not replayed: one catch-up run at most ({@code portflux.schedules.catch-up}),
 * then the next cron time after now.
 *
 * <p>When a run's scan has finished and is stored, it is diffed against the schedule's previous completed run
 * with {@link ScanDiff}; the changes are recorded on the run and, when there are any and the schedule has a
 * webhook, a delivery is stored in the same transaction for the {@link AlertOutbox} to send.
 */
public final class ScheduleRunner implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ScheduleRunner.class);
    /** Missed ticks counted at most per look, so that a per-second cron down for a year is no long loop. */
    private static final int MAX_MISSED_COUNT = 10_000;

    private final ScheduleStore store;
    private final ScanRegistry registry;
    private final ScanExport export;
    private final ScanDiff diff;
    private final AlertOutbox outbox;
    private final ScheduleMetrics metrics;
    private final JsonMapper json;
    private final Clock clock;
    private final Duration leaseTime;
    private final boolean catchUp;
    /** How late a look may come and still run each tick: four poll intervals. */
    private final Duration grace;
    private final SecureRandom random = new SecureRandom();
    /** Scans of runs this replica started and is waiting for, so that a look at the row does not settle them. */
    private final Set<String> following = ConcurrentHashMap.newKeySet();
    private final Sinks.Many<String> changed = Sinks.many().multicast().directBestEffort();
    private final Disposable loop;

    ScheduleRunner(ScheduleStore store, ScanRegistry registry, ScanExport export, ScanDiff diff, AlertOutbox outbox,
            ScheduleMetrics metrics, JsonMapper json, Clock clock, Duration leaseTime, Duration poll, boolean catchUp,
            Mono<String> shutdown) {
        this.store = store;
        this.registry = registry;
        this.export = export;
        this.diff = diff;
        this.outbox = outbox;
        this.metrics = metrics;
        this.json = json;
        this.clock = clock;
        this.leaseTime = leaseTime;
        this.catchUp = catchUp;
        this.grace = poll.multipliedBy(4);
        // No run starts once the server stops: it would only be cancelled at once.
        this.loop = every(Flux.interval(poll, poll).takeUntilOther(shutdown), this::look, "schedule look");
    }

    /**
     * Runs {@code work} on every tick, one at a time: a tick that comes while it runs is dropped (a look that takes
     * longer than the period skips the looks that came meanwhile), and a failure is logged, not the end.
     */
    static Disposable every(Flux<?> ticks, Supplier<Mono<Void>> work, String what) {
        return ticks.onBackpressureDrop()
                .concatMap(tick -> work.get().onErrorResume(error -> {
                    log.warn("{} failed: {}", what, error.toString());
                    return Mono.empty();
                }), 1)
                .subscribe();
    }

    /** Ids of schedules whose runs this replica just started or finished, for live streams to look again. */
    public Flux<String> changed() {
        return changed.asFlux();
    }

    /** Looks for due ticks once, now. */
    Mono<Void> look() {
        Instant now = clock.instant();
        return store.due(now).concatMap(schedule -> claim(schedule, now)).then();
    }

    private Mono<Void> claim(Schedule schedule, Instant now) {
        Instant tick = schedule.nextRun();
        if (tick == null) {
            return Mono.empty();
        }
        ScheduleSpec spec = schedule.spec();
        // A look a little late (a busy machine) still runs every tick: the following one comes at the next look.
        // Ticks older than the grace passed while no replica looked (all down, or the lease moving): they are missed,
        // and the schedule goes on from now.
        Instant following = spec.next(tick);
        boolean outage = following != null && following.isBefore(now.minus(grace));
        Instant next = outage ? spec.next(now) : following;
        long missed = outage ? missed(spec, tick, now) : 0;
        return store.claimTick(schedule.id(), tick, next, now.minus(leaseTime))
                .filter(Boolean::booleanValue)
                .flatMap(got -> {
                    if (missed > 0) {
                        metrics.missed(schedule.name(), missed);
                        log.info("schedule {}: {} tick(s) after {} were missed; {}", schedule.name(), missed, tick,
                                catchUp ? "one catch-up run" : "no catch-up run (portflux.schedules.catch-up=false)");
                        if (!catchUp) {
                            return Mono.empty();
                        }
                    }
                    return runTick(schedule, tick);
                });
    }

    // Cron times after the due tick up to now: ticks that passed while no replica looked.
    private static long missed(ScheduleSpec spec, Instant tick, Instant now) {
        long count = 0;
        Instant t = spec.next(tick);
        while (t != null && !t.isAfter(now) && count < MAX_MISSED_COUNT) {
            count++;
            t = spec.next(t);
        }
        return count;
    }

    private Mono<Void> runTick(Schedule schedule, Instant tick) {
        String previous = schedule.runningScan();
        if (previous == null) {
            return start(schedule, tick);
        }
        return registry.snapshot(previous)
                .map(snapshot -> ScanStatus.RUNNING.wireName().equals(snapshot.status()))
                .onErrorReturn(false)
                .defaultIfEmpty(false)
                .flatMap(running -> {
                    if (running) {
                        metrics.skipped(schedule.name());
                        log.info("schedule {}: tick {} skipped, run {} still going", schedule.name(), tick, previous);
                        return store.skipped(schedule.id()).doOnSuccess(done -> changed.tryEmitNext(schedule.id()));
                    }
                    // Its replica died before it recorded the end (or it ended a moment ago elsewhere): settle it.
                    Mono<Void> settle = following.contains(previous) ? Mono.empty()
                            : store.runOf(schedule.id(), previous).filter(ScheduleRun::running)
                                    .flatMap(run -> finish(schedule, run));
                    return settle.then(start(schedule, tick));
                });
    }

    private Mono<Void> start(Schedule schedule, Instant tick) {
        String replica = store.replicaId();
        return registry.start(schedule.spec().scan(), "schedule:" + schedule.name())
                .flatMap(scan -> {
                    following.add(scan.id());
                    ScheduleRun run = new ScheduleRun(schedule.id(), tick, scan.id(), replica, clock.instant(),
                            ScheduleRun.RUNNING, null, null, null, null, null);
                    log.info("schedule {}: tick {} runs as scan {}", schedule.name(), tick, scan.id());
                    return store.started(run).doOnSuccess(done -> {
                        changed.tryEmitNext(schedule.id());
                        // The scan runs on; its end is awaited apart, so that the looks go on meanwhile.
                        registry.storedFully(scan.id())
                                .then(Mono.defer(() -> finish(schedule, run)))
                                .doFinally(signal -> following.remove(scan.id()))
                                .subscribe(null, error -> log.error("schedule {}: run {} could not be settled",
                                        schedule.name(), scan.id(), error));
                    });
                })
                .onErrorResume(error -> {
                    log.warn("schedule {}: tick {} could not start: {}", schedule.name(), tick, error.getMessage());
                    metrics.run(schedule.name(), ScheduleRun.FAILED);
                    Instant now = clock.instant();
                    return store.started(new ScheduleRun(schedule.id(), tick, null, replica, now, ScheduleRun.FAILED, now,
                                    null, null, null, error.getMessage()))
                            .doOnSuccess(done -> changed.tryEmitNext(schedule.id()));
                })
                .then();
    }

    // The run's scan has ended and is stored: its status, then its diff against the previous completed run.
    private Mono<Void> finish(Schedule schedule, ScheduleRun run) {
        String scanId = run.scanId();
        if (scanId == null) {
            return Mono.empty();
        }
        // Optional, not empty: every branch below ends in an empty Mono<Void>, which switchIfEmpty would mistake.
        return export.scope(scanId).map(Optional::of).defaultIfEmpty(Optional.empty())
                .flatMap(found -> {
                    if (found.isEmpty()) {
                        return record(schedule, new ScheduleRun(run.scheduleId(), run.tick(), scanId, run.replica(),
                                run.startedAt(), ScheduleRun.FAILED, clock.instant(), null, null, null,
                                "the run's scan is no longer stored"), null);
                    }
                    ScanScope scope = found.get();
                    String status = scope.scan().status().wireName();
                    Instant finished = scope.scan().finishedAt() != null ? scope.scan().finishedAt() : clock.instant();
                    ScheduleRun ended = new ScheduleRun(run.scheduleId(), run.tick(), scanId, run.replica(),
                            run.startedAt(), status, finished, null, null, null, scope.scan().message());
                    if (scope.scan().status() != ScanStatus.COMPLETED) {
                        return record(schedule, ended, null);
                    }
                    return store.previousCompleted(schedule.id(), run.tick())
                            .flatMap(base -> base.scanId() == null ? Mono.empty() : export.scope(base.scanId()))
                            .map(Optional::of).defaultIfEmpty(Optional.empty())
                            .flatMap(base -> base.isPresent() ? compare(schedule, ended, base.get(), scope)
                                    : record(schedule, ended, null));
                });
    }

    private Mono<Void> compare(Schedule schedule, ScheduleRun ended, ScanScope base, ScanScope scan) {
        return Mono.zip(diff.hosts(base, scan),
                        diff.changes(base, scan).filter(change -> PortChange.CHANGED.equals(change.kind())).collectList())
                .flatMap(found -> {
                    List<Map<String, Object>> ports = found.getT2().stream().map(ScheduleRunner::port).toList();
                    Map<String, Object> changes = new LinkedHashMap<>();
                    changes.put("ports", ports);
                    changes.put("hostsAppeared", found.getT1().appeared());
                    changes.put("hostsGone", found.getT1().gone());
                    int count = ports.size() + found.getT1().appeared().size() + found.getT1().gone().size();
                    ScheduleRun diffed = new ScheduleRun(ended.scheduleId(), ended.tick(), ended.scanId(), ended.replica(),
                            ended.startedAt(), ended.status(), ended.finishedAt(), base.scan().id(),
                            json.writeValueAsString(changes), count, ended.message());
                    metrics.changes(schedule.name(), count);
                    String webhook = schedule.spec().webhook();
                    Delivery delivery = count == 0 || webhook == null ? null : delivery(schedule, diffed, changes, webhook);
                    return record(schedule, diffed, delivery);
                });
    }

    private Mono<Void> record(Schedule schedule, ScheduleRun ended, @Nullable Delivery delivery) {
        return store.finished(ended, delivery).doOnSuccess(done -> {
            metrics.run(schedule.name(), ended.status());
            log.info("schedule {}: run {} ended {}{}", schedule.name(), ended.scanId(), ended.status(),
                    ended.changeCount() == null ? "" : " with " + ended.changeCount() + " change(s)");
            changed.tryEmitNext(schedule.id());
            if (delivery != null) {
                outbox.kick();
            }
        });
    }

    // One changed port in the webhook and on the run: what changed, from what to what, and both sides.
    private static Map<String, Object> port(PortChange change) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ip", change.ip());
        if (change.host() != null) {
            out.put("host", change.host());
        }
        out.put("port", change.port());
        out.put("protocol", change.protocol());
        out.put("changed", change.changed());
        out.put("from", change.base() == null ? null : change.base().state());
        out.put("to", change.scan() == null ? null : change.scan().state());
        out.put("base", change.base());
        out.put("scan", change.scan());
        return out;
    }

    private Delivery delivery(Schedule schedule, ScheduleRun run, Map<String, Object> changes, String webhook) {
        String id = newId();
        Instant now = clock.instant();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("deliveryId", id);
        body.put("event", AlertOutbox.EVENT);
        body.put("schedule", Map.of("id", schedule.id(), "name", schedule.name()));
        body.put("scanId", run.scanId());
        body.put("baseScanId", run.baseScanId());
        body.put("tick", run.tick().toString());
        body.put("finishedAt", String.valueOf(run.finishedAt()));
        body.put("changeCount", run.changeCount());
        body.put("changes", changes);
        body.put("links", Map.of("scan", "/api/scans/" + run.scanId(),
                "diff", "/api/scans/" + run.scanId() + "/diff?base=" + run.baseScanId()));
        return new Delivery(id, schedule.id(), run.scanId(), webhook, json.writeValueAsString(body), Delivery.PENDING, 0,
                now, null, now, null);
    }

    private String newId() {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    @Override
    public void close() {
        loop.dispose();
    }
}
