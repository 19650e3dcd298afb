package io.portflux.scan;

import io.portflux.port.ServiceNames;
import io.portflux.scan.event.EventData;
import io.portflux.scan.event.ScanEvent;
import io.portflux.scan.service.ServiceDetector;
import io.portflux.scan.shard.CompletionTracker;
import io.portflux.scan.shard.IndexRange;
import io.portflux.scan.shard.RangeScan;
import io.portflux.target.AddressText;
import inet.ipaddr.IPAddressString;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Scanner runs a {@link ScanPlan} as a stream of numbered {@link ScanEvent}s.
 *
 * <p>The probe space is split into one share per prober lane (position ≡ lane mod lanes); each
 * share is a {@code flatMap(probe, n)} and the shares are merged, so every event loop connects its
 * own probes. Cancelling the returned Flux cancels every probe in flight.
 *
 * <p>With detection on, every open port's {@code port} event goes out as soon as the port is found, and
 * the port is queued for the {@link ServiceDetector}; detections run beside the probes, at most
 * {@code min(concurrency, detector.concurrency())} at once, and each ends in one {@code service} event.
 * {@code done} waits for the last of them.
 */
public final class Scanner {

    /** Further attempts after a local resource fault, each after a longer pause. */
    static final int LOCAL_FAULT_RETRIES = 5;

    static final Duration LOCAL_FAULT_FIRST_BACKOFF = Duration.ofMillis(20);

    private static final int MERGE_PREFETCH = 1024;

    private final Prober prober;
    private final Scheduler scheduler;
    private final Duration progressInterval;
    private final ScanObserver observer;
    private final ServiceDetector detector;

    public Scanner(Prober prober, Duration progressInterval) {
        this(prober, progressInterval, Schedulers.parallel(), ScanObserver.NONE);
    }

    public Scanner(Prober prober, Duration progressInterval, Scheduler scheduler) {
        this(prober, progressInterval, scheduler, ScanObserver.NONE);
    }

    public Scanner(Prober prober, Duration progressInterval, Scheduler scheduler, ScanObserver observer) {
        this(prober, progressInterval, scheduler, observer, ServiceDetector.NONE);
    }

    public Scanner(Prober prober, Duration progressInterval, Scheduler scheduler, ScanObserver observer,
            ServiceDetector detector) {
        this.detector = Objects.requireNonNull(detector, "detector");
        this.prober = Objects.requireNonNull(prober, "prober");
        this.progressInterval = Objects.requireNonNull(progressInterval, "progressInterval");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.observer = Objects.requireNonNull(observer, "observer");
    }

    /**
     * Streams the events of one scan: {@code started}, {@code port} events as answers arrive,
     * conflated {@code progress}, one final progress and {@code done}. When {@code stop} emits a
     * message, the probes stop and {@code done} says {@code cancelled} with that message.
     */
    public Flux<ScanEvent> scan(String scanId, ScanPlan plan, Mono<String> stop) {
        return Flux.defer(() -> {
            long[] nextId = {1};
            return events(scanId, plan, stop).map(data -> new ScanEvent(nextId[0]++, data));
        });
    }

    private Flux<EventData> events(String scanId, ScanPlan plan, Mono<String> stop) {
        long start = scheduler.now(TimeUnit.MILLISECONDS);
        ScanTally tally = new ScanTally(plan.total(), start);
        AtomicReference<String> stopMessage = new AtomicReference<>();
        Sinks.Empty<Void> probesOver = Sinks.empty();

        List<Flux<EventData>> lanes = lanes(plan, tally, new IndexRange(0, plan.total()), plan.rate(), null);
        // A large prefetch keeps a busy lane from waiting on the merge (measured: prefetch 32 was 2x slower).
        Flux<EventData> probes = Flux.merge(Flux.fromIterable(lanes), lanes.size(), MERGE_PREFETCH);
        Flux<EventData> results = (plan.detect() && detector != ServiceDetector.NONE
                ? withDetection(probes, plan, tally, List.of()) : probes)
                .takeUntilOther(stop.doOnNext(stopMessage::set))
                .doFinally(signal -> probesOver.tryEmitEmpty());
        Flux<EventData> ticks = Flux.interval(progressInterval, progressInterval, scheduler)
                .onBackpressureDrop()
                .<EventData>handle((tick, sink) -> {
                    EventData.Progress p = tally.progressIfChanged(now());
                    if (p != null) {
                        sink.next(p);
                    }
                })
                .takeUntilOther(probesOver.asMono());

        AtomicReference<ScanStatus> finalStatus = new AtomicReference<>(ScanStatus.CANCELLED);
        AtomicBoolean observed = new AtomicBoolean();
        return Flux.concat(
                        Mono.fromSupplier(() -> {
                            observed.set(true);
                            observer.scanStarted();
                            return started(scanId, plan, start);
                        }),
                        Flux.merge(results, ticks),
                        Mono.fromSupplier(() -> tally.progress(now())),
                        Mono.fromSupplier(() -> stopMessage.get() == null
                                ? tally.done(ScanStatus.COMPLETED, now(), null)
                                : tally.done(ScanStatus.CANCELLED, now(), stopMessage.get())))
                .onErrorResume(error -> Mono.just(tally.done(ScanStatus.FAILED, now(), describe(error))))
                .doOnNext(data -> {
                    if (data instanceof EventData.Done done) {
                        finalStatus.set(ScanStatus.ofWireName(done.status()));
                    }
                })
                // A scan whose subscriber went away ends without a done event: that counts as cancelled.
                // Cancelled before the first request, the scan never started: it must not be counted as finished.
                .doFinally(signal -> {
                    if (observed.get()) {
                        observer.scanFinished(finalStatus.get());
                    }
                });
    }

    /**
     * Probes the positions {@code range} of {@code plan}'s probe order, as one share of a scan that several
     * replicas work on: its {@code port} and {@code service} events only (no {@code started}, {@code progress}
     * or {@code done}, which belong to the whole scan), at most {@code rate} probes a second (null for no cap),
     * until every position has its verdict or {@code stop} emits. The returned tracker gives the range's
     * watermark and counts; the consumer marks each {@code port} event delivered once it has kept it.
     */
    public RangeScan scanRange(ScanPlan plan, IndexRange range, @Nullable Integer rate, Mono<?> stop) {
        return scanRange(plan, range, rate, List.of(), stop);
    }

    /**
     * {@link #scanRange(ScanPlan, IndexRange, Integer, Mono)} of a range that another holder left: with detection
     * on, the open ports in {@code undetected} (below the watermark, stored without a detection result, whose
     * detection died with that holder) are detected too, beside the probes, each ending in its {@code service}
     * event; their {@code port} events are not sent again. The range's events complete after those detections.
     */
    public RangeScan scanRange(ScanPlan plan, IndexRange range, @Nullable Integer rate,
            List<EventData.Port> undetected, Mono<?> stop) {
        if (range.to() > plan.total()) {
            throw new IllegalArgumentException("range " + range + " beyond the plan's " + plan.total() + " probes");
        }
        CompletionTracker tracker = new CompletionTracker(range, laneCount(plan));
        Flux<EventData> events = Flux.defer(() -> {
            ScanTally tally = new ScanTally(range.size(), now());
            List<Flux<EventData>> lanes = lanes(plan, tally, range, rate, tracker);
            Flux<EventData> probes = Flux.merge(Flux.fromIterable(lanes), lanes.size(), MERGE_PREFETCH);
            return (plan.detect() && detector != ServiceDetector.NONE ? withDetection(probes, plan, tally, undetected)
                    : probes)
                    .takeUntilOther(stop);
        });
        return new RangeScan(range, events, tracker);
    }

    /** Probes the prober could start now without waiting for its in-flight budget ({@link Prober#spare()}). */
    public long spareProbes() {
        return prober.spare();
    }

    /** The {@code started} event of a scan of {@code plan} that starts at {@code startedAt}. */
    public EventData.Started startedEvent(String scanId, ScanPlan plan, Instant startedAt) {
        return started(scanId, plan, startedAt.toEpochMilli());
    }

    /**
     * The probes' events, each open port's followed later by its {@code service} event. A port is queued
     * for detection only after its own event has gone downstream, so its {@code service} event can never
     * overtake it; the queue closes when a marker after the last probe event comes through. The ports in
     * {@code undetected} are queued first: their port events went out before (from another holder of the range).
     */
    private Flux<EventData> withDetection(Flux<EventData> probes, ScanPlan plan, ScanTally tally,
            List<EventData.Port> undetected) {
        Sinks.Many<EventData.Port> opened = Sinks.many().unicast().onBackpressureBuffer();
        for (EventData.Port port : undetected) {
            tally.detectionStarted();
            opened.tryEmitNext(port);
        }
        EventData probesOver = new EventData.Progress(0, 0, 0, 0, 0, 0, 0, 0, 0, null);
        int concurrency = Math.max(1, Math.min(plan.concurrency(), detector.concurrency()));
        Flux<EventData> services = opened.asFlux().flatMap(port -> detection(port, tally), concurrency);
        // The probes keep the large prefetch of their own merge: with merge's default of 32 here, a full-range
        // scan's probes ran about 40% slower with detection on than off.
        return Flux.merge(MERGE_PREFETCH, probes.concatWith(Mono.just(probesOver)), services)
                .handle((data, sink) -> {
                    if (data == probesOver) {
                        opened.tryEmitComplete();
                        return;
                    }
                    sink.next(data);
                    if (data instanceof EventData.Port port && PortState.OPEN.wireName().equals(port.state())) {
                        tally.detectionStarted();
                        opened.tryEmitNext(port);
                    }
                });
    }

    private Mono<EventData> detection(EventData.Port port, ScanTally tally) {
        EventData.Service table = new EventData.Service(port.host(), port.ip(), port.port(), port.service(), null,
                null, null, null, EventData.Service.TABLE);
        Mono<EventData.Service> found;
        if (ServiceDetector.skipped(port.port())) {
            found = Mono.just(table);
        } else {
            InetSocketAddress address = new InetSocketAddress(
                    new IPAddressString(port.ip()).getAddress().toInetAddress(), port.port());
            Duration rtt = port.rttMs() == null ? null : Duration.ofNanos(Math.round(port.rttMs() * 1_000_000));
            found = Mono.defer(() -> detector.detect(address, rtt))
                    .map(d -> d.service() == null
                            // It spoke, but in nothing the detector knows: the table's guess, with what it said.
                            ? new EventData.Service(port.host(), port.ip(), port.port(), port.service(), null, null,
                                    d.banner(), null, EventData.Service.TABLE)
                            : new EventData.Service(port.host(), port.ip(), port.port(), d.service(), d.product(),
                                    d.version(), d.banner(), d.tls(), EventData.Service.PROBED))
                    // A detector fault costs that port its detection, never the scan.
                    .onErrorResume(error -> Mono.empty())
                    .defaultIfEmpty(table);
        }
        return Mono.defer(() -> {
            long began = scheduler.now(TimeUnit.NANOSECONDS);
            return found.<EventData>map(service -> {
                tally.detectionOver(service);
                observer.detected(service.method(), service.service(),
                        Duration.ofNanos(scheduler.now(TimeUnit.NANOSECONDS) - began));
                return service;
            });
        }).doOnCancel(tally::detectionDropped);
    }

    private int laneCount(ScanPlan plan) {
        return Math.max(1, Math.min(prober.lanes(), plan.concurrency()));
    }

    // The lanes' shares of the positions in range; a whole scan is the range [0, total) with no tracker.
    private List<Flux<EventData>> lanes(ScanPlan plan, ScanTally tally, IndexRange range, @Nullable Integer rate,
            @Nullable CompletionTracker tracker) {
        int lanes = laneCount(plan);
        List<Flux<EventData>> shares = new ArrayList<>(lanes);
        for (int lane = 0; lane < lanes; lane++) {
            int laneConcurrency = plan.concurrency() / lanes + (lane < plan.concurrency() % lanes ? 1 : 0);
            Integer laneRate = rate == null ? null : Math.max(1, rate / lanes);
            LaneRun run = new LaneRun(lane, plan, tally, tracker);
            shares.add(Pacing.positions(range.from(), range.to(), lane, lanes, laneRate, scheduler)
                    .flatMap(run::probe, laneConcurrency));
        }
        return shares;
    }

    /**
     * LaneRun probes one lane's share of a scan. Its per-probe path is one prober Mono and one
     * flatMap whose inner is a scalar (or another attempt on the rare retry), because each Reactor
     * operator per probe costs measurably over a full port range.
     */
    private final class LaneRun {
        private final int lane;
        private final ScanPlan plan;
        private final ScanTally tally;
        private final ProbeSpace space;
        /** Null for a whole scan; for a range, where each position's verdict is marked. */
        private final @Nullable CompletionTracker tracker;

        LaneRun(int lane, ScanPlan plan, ScanTally tally, @Nullable CompletionTracker tracker) {
            this.lane = lane;
            this.plan = plan;
            this.tally = tally;
            this.space = new ProbeSpace(plan);
            this.tracker = tracker;
        }

        Mono<EventData> probe(long position) {
            return attempt(space.addressAt(position), 0, 0, position);
        }

        private Mono<EventData> attempt(InetSocketAddress target, int tries, int faults, long position) {
            return prober.probe(lane, target, plan.timeout())
                    .flatMap(outcome -> next(target, tries, faults, outcome, position));
        }

        // Java 17 has no pattern switch; the chain covers every permitted ProbeOutcome.
        private Mono<EventData> next(InetSocketAddress target, int tries, int faults, ProbeOutcome outcome,
                long position) {
            if (outcome instanceof ProbeOutcome.Refused refused) {
                return verdict(target, Reason.CONN_REFUSED, refused.rtt(), position);
            } else if (outcome instanceof ProbeOutcome.Open open) {
                return verdict(target, Reason.CONN_ACCEPT, open.rtt(), position);
            } else if (outcome instanceof ProbeOutcome.Unreachable u) {
                return verdict(target, u.reason(), u.rtt(), position);
            } else if (outcome instanceof ProbeOutcome.NoResponse) {
                return tries < plan.retries()
                        ? attempt(target, tries + 1, faults, position)
                        : verdict(target, Reason.NO_RESPONSE, null, position);
            } else if (outcome instanceof ProbeOutcome.SelfConnect) {
                // A self-connect means nothing listened there; one more try normally gets the refusal.
                return tries < Math.max(1, plan.retries())
                        ? attempt(target, tries + 1, faults, position)
                        : verdict(target, Reason.SELF_CONNECT, null, position);
            } else if (outcome instanceof ProbeOutcome.ShutDown) {
                // The prober is closing: no retry can be answered. Unknown, so an error, never closed.
                return verdict(target, Reason.LOCAL_FAULT, null, position);
            } else if (outcome instanceof ProbeOutcome.LocalFault fault) {
                // The target was never asked: back off and ask again; never call it closed.
                observer.localFault(fault.code());
                return faults < LOCAL_FAULT_RETRIES
                        ? Mono.delay(LOCAL_FAULT_FIRST_BACKOFF.multipliedBy(1L << faults), scheduler)
                                .then(attempt(target, tries, faults + 1, position))
                        : verdict(target, Reason.LOCAL_FAULT, null, position);
            }
            throw new IllegalStateException("unknown probe outcome " + outcome);
        }

        /** Counts the final verdict; an event only when it will be sent. */
        private Mono<EventData> verdict(InetSocketAddress target, Reason reason, Duration rtt, long position) {
            PortState state = reason.state();
            observer.verdict(reason, rtt);
            if (state != PortState.OPEN && !plan.reportAll()) {
                // Most probes end here: counted, with no event and no formatting work.
                tally.count(state);
                if (tracker != null) {
                    tracker.complete(position, code(state));
                }
                return Mono.empty();
            }
            InetAddress ip = target.getAddress();
            String text = AddressText.of(ip);
            int port = target.getPort();
            EventData.Port event = new EventData.Port(plan.hostNames().getOrDefault(ip, text), text, port,
                    state.wireName(), reason.wireName(), ServiceNames.of(port).orElse(null),
                    rtt == null ? null : millis(rtt));
            tally.record(event, state);
            if (tracker != null) {
                tracker.awaitDelivery(event, position, code(state));
            }
            return Mono.just(event);
        }
    }

    private static byte code(PortState state) {
        return switch (state) {
            case OPEN -> CompletionTracker.OPEN;
            case CLOSED -> CompletionTracker.CLOSED;
            case FILTERED -> CompletionTracker.FILTERED;
            case ERROR -> CompletionTracker.ERROR;
        };
    }

    private EventData.Started started(String scanId, ScanPlan plan, long startMillis) {
        return new EventData.Started(scanId, plan.targets(), plan.ports().size(), plan.total(), plan.concurrency(),
                plan.timeout().toMillis(), plan.retries(), plan.rate(), plan.report(), plan.order(), plan.seed(),
                Instant.ofEpochMilli(startMillis));
    }

    private long now() {
        return scheduler.now(TimeUnit.MILLISECONDS);
    }

    private static Double millis(Duration rtt) {
        return Math.round(rtt.toNanos() / 10_000.0) / 100.0;
    }

    private static String describe(Throwable error) {
        return error.getClass().getSimpleName() + (error.getMessage() == null ? "" : ": " + error.getMessage());
    }
}
