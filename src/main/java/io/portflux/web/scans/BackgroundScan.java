package io.portflux.web.scans;

import io.portflux.scan.ScanRequest;
import io.portflux.scan.ScanStatus;
import io.portflux.scan.event.EventData;
import io.portflux.scan.event.ScanEvent;
import io.portflux.scan.event.ScanJournal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import io.portflux.scan.ScanPlan;
import java.util.function.Function;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * BackgroundScan is one scan that runs in this process: its live journal, its state and its stop switch, kept
 * by the registry until its last event is stored.
 */
public final class BackgroundScan implements ScanLauncher.Launching {

    private final String id;
    private final ScanRequest request;
    private final Instant createdAt;
    private final ScanJournal journal;
    private final Sinks.One<String> stop = Sinks.one();
    private final List<EventData.OpenPort> openPorts = new ArrayList<>();
    private volatile ScanStatus status = ScanStatus.RUNNING;
    private volatile EventData.@Nullable Started started;
    private volatile EventData.@Nullable Progress progress;
    private volatile EventData.@Nullable Done done;
    private volatile @Nullable Instant finishedAt;
    private volatile @Nullable Disposable subscription;
    /** For a scan the replicas share: its plan (written with it) and its events as this replica follows them. */
    private volatile @Nullable ScanPlan sharedPlan;
    private volatile @Nullable Function<Mono<String>, Flux<ScanEvent>> shared;

    BackgroundScan(String id, ScanRequest request, Instant createdAt, int maxProgress) {
        this.id = Objects.requireNonNull(id, "id");
        this.request = Objects.requireNonNull(request, "request");
        // Milliseconds, as the store keeps it.
        this.createdAt = Objects.requireNonNull(createdAt, "createdAt").truncatedTo(ChronoUnit.MILLIS);
        this.journal = new ScanJournal(maxProgress);
    }

    @Override
    public String id() {
        return id;
    }

    ScanRequest request() {
        return request;
    }

    Instant createdAt() {
        return createdAt;
    }

    ScanJournal journal() {
        return journal;
    }

    ScanStatus status() {
        return status;
    }

    public boolean running() {
        return status == ScanStatus.RUNNING;
    }

    Instant finishedAt() {
        return finishedAt;
    }

    @Override
    public Mono<String> stopSignal() {
        return stop.asMono();
    }

    /** Asks the scan to stop; its journal then ends with a cancelled {@code done}. */
    boolean cancel(String message) {
        return stop.tryEmitValue(message).isSuccess();
    }

    /** Makes this a scan that the replicas share, followed here through {@code follow}. */
    void share(ScanPlan plan, Function<Mono<String>, Flux<ScanEvent>> follow) {
        this.sharedPlan = plan;
        this.shared = follow;
    }

    /** The plan of a scan that the replicas share; null for one that runs here. */
    @Nullable ScanPlan sharedPlan() {
        return sharedPlan;
    }

    @Override
    public @Nullable Function<Mono<String>, Flux<ScanEvent>> runsElsewhere() {
        return shared;
    }

    void attach(Disposable subscription) {
        this.subscription = subscription;
    }

    /** Records one event of the running scan; called serially by the scan's subscriber. */
    void record(ScanEvent event, Instant now) {
        EventData data = event.data();
        if (data instanceof EventData.Started s) {
            started = s;
        } else if (data instanceof EventData.Port p && "open".equals(p.state())) {
            synchronized (openPorts) {
                openPorts.add(new EventData.OpenPort(p.host(), p.ip(), p.port(), p.service()));
            }
        } else if (data instanceof EventData.Service found) {
            synchronized (openPorts) {
                String key = found.ip() + " " + found.port();
                openPorts.replaceAll(open -> open.key().equals(key) ? open.with(found) : open);
            }
        } else if (data instanceof EventData.Progress p) {
            progress = p;
        } else if (data instanceof EventData.Done d) {
            done = d;
            EventData.Started s = started;
            // The same instant the store derives from the same events, so both give one answer.
            finishedAt = s == null ? now.truncatedTo(ChronoUnit.MILLIS) : s.endedAt(d);
            status = ScanStatus.ofWireName(d.status());
        }
        journal.append(event);
    }

    ScanSnapshot snapshot() {
        EventData.Done d = done;
        EventData.Progress p = progress;
        List<EventData.OpenPort> open;
        synchronized (openPorts) {
            open = d != null ? d.openPorts() : List.copyOf(openPorts);
        }
        EventData.Started s = started;
        long total = s == null ? 0 : s.total();
        long scanned = d != null ? d.scanned() : p == null ? 0 : p.scanned();
        return new ScanSnapshot(id, status.wireName(), request, s == null ? List.of() : s.targets(), total, scanned,
                d != null ? d.open() : p == null ? open.size() : p.open(),
                d != null ? d.closed() : p == null ? 0 : p.closed(),
                d != null ? d.filtered() : p == null ? 0 : p.filtered(),
                d != null ? d.errors() : p == null ? 0 : p.errors(),
                total == 0 ? 0 : Math.round(scanned * 10000.0 / total) / 100.0,
                p == null ? null : Double.valueOf(p.rate()),
                d != null ? Long.valueOf(d.elapsedMs()) : p == null ? null : Long.valueOf(p.elapsedMs()),
                p == null || d != null ? null : p.etaMs(),
                open, createdAt, finishedAt, d == null ? null : d.message(), null, ScanSnapshot.links(id));
    }
}
