package io.portflux.web.scans;

import io.portflux.scan.ScanRequest;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * ScanRegistry starts background scans and keeps them, running and finished, for watching,
 * snapshots and cancellation; finished scans are evicted by age and by count.
 */
@Component
public class ScanRegistry {

    static final String CANCELLED_BY_REQUEST = "cancelled by request";

    private static final Logger log = LoggerFactory.getLogger(ScanRegistry.class);
    private static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(5);
    private static final Duration SWEEP = Duration.ofSeconds(30);

    private final ScanLauncher launcher;
    private final RegistryProperties properties;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, BackgroundScan> scans = new ConcurrentHashMap<>();
    private final AtomicInteger slotsTaken = new AtomicInteger();
    private final Disposable sweeper;

    public ScanRegistry(ScanLauncher launcher, RegistryProperties properties, ObjectProvider<Clock> clock) {
        this.launcher = launcher;
        this.properties = properties;
        this.clock = clock.getIfAvailable(Clock::systemUTC);
        this.sweeper = Flux.interval(SWEEP, SWEEP).subscribe(tick -> evict(this.clock.instant()));
    }

    /**
     * Validates {@code request} exactly like the streaming endpoint, then starts it in the
     * background for {@code client}. Errors: the planner's 400/403/413 exceptions,
     * {@link TooManyScansException}, or {@link QuotaExceededException}. A refused request leaves
     * nothing behind: every place it reserved is given back.
     */
    public Mono<BackgroundScan> start(ScanRequest request, String client) {
        return Mono.defer(() -> {
            evict(clock.instant());
            return launcher.launch(request, client, "background", reserve(), plan -> {
                        BackgroundScan scan = new BackgroundScan(newId(), request, clock.instant(),
                                properties.journalMaxEvents());
                        scans.put(scan.id(), scan);
                        return scan;
                    })
                    .map(launched -> {
                        BackgroundScan scan = launched.scan();
                        scan.attach(launched.events().subscribe(event -> scan.record(event, clock.instant()),
                                error -> log.error("scan {} broke off", scan.id(), error)));
                        return scan;
                    });
        });
    }

    /** The scan with {@code id}, or a {@link ScanNotFoundException}. */
    public BackgroundScan get(String id) {
        BackgroundScan scan = id == null ? null : scans.get(id);
        if (scan == null) {
            throw new ScanNotFoundException(id);
        }
        return scan;
    }

    /** Every kept scan, newest first. */
    public List<BackgroundScan> list() {
        evict(clock.instant());
        return scans.values().stream()
                .sorted(Comparator.comparing(BackgroundScan::createdAt).reversed()
                        .thenComparing(BackgroundScan::id))
                .toList();
    }

    /** Cancels a running scan; a finished scan stays as it is. */
    public BackgroundScan cancel(String id) {
        BackgroundScan scan = get(id);
        scan.cancel(CANCELLED_BY_REQUEST);
        return scan;
    }

    /** Scans running now. */
    public int running() {
        return (int) scans.values().stream().filter(BackgroundScan::running).count();
    }

    /** Drops finished scans past their retention time, then the oldest beyond the count limit. */
    void evict(Instant now) {
        Instant cutoff = now.minus(properties.retention());
        scans.values().removeIf(s -> !s.running() && s.finishedAt() != null && s.finishedAt().isBefore(cutoff));
        List<BackgroundScan> finished = scans.values().stream()
                .filter(s -> !s.running())
                .sorted(Comparator.comparing(BackgroundScan::createdAt).reversed())
                .toList();
        finished.stream().skip(properties.maxRetained()).forEach(s -> scans.remove(s.id(), s));
    }

    @PreDestroy
    void close() {
        sweeper.dispose();
        scans.values().forEach(s -> s.cancel(ShutdownSignal.MESSAGE));
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
        return scans.values().stream()
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
