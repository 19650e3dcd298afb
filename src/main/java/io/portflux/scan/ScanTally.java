package io.portflux.scan;

import io.portflux.scan.event.EventData;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * ScanTally counts the verdicts of one scan and keeps its open ports with what detection found on them; it
 * is safe across lanes.
 */
final class ScanTally {

    private final long total;
    private final long startMillis;
    private final LongAdder open = new LongAdder();
    private final LongAdder closed = new LongAdder();
    private final LongAdder filtered = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final Queue<EventData.OpenPort> openPorts = new ConcurrentLinkedQueue<>();
    private final Map<String, EventData.Service> services = new ConcurrentHashMap<>();
    private final AtomicLong detecting = new AtomicLong();
    private long lastReportedScanned;
    private long lastReportedDetecting;

    ScanTally(long total, long startMillis) {
        this.total = total;
        this.startMillis = startMillis;
    }

    /** Counts a verdict and keeps the port when it is open. */
    void record(EventData.Port port, PortState state) {
        if (state == PortState.OPEN) {
            openPorts.add(new EventData.OpenPort(port.host(), port.ip(), port.port(), port.service()));
        }
        count(state);
    }

    /** Counts one more detection under way. */
    void detectionStarted() {
        detecting.incrementAndGet();
    }

    /** Counts a detection over, and keeps what it found for {@code done}. */
    void detectionOver(EventData.Service service) {
        services.put(service.ip() + " " + service.port(), service);
        detecting.decrementAndGet();
    }

    /** Counts a detection over that found nothing to report (cancelled). */
    void detectionDropped() {
        detecting.decrementAndGet();
    }

    /** Counts a verdict that has no event. */
    void count(PortState state) {
        switch (state) {
            case OPEN -> open.increment();
            case CLOSED -> closed.increment();
            case FILTERED -> filtered.increment();
            case ERROR -> errors.increment();
        }
    }

    /**
     * The current progress, or null when nothing was scanned since the last call. Called from one
     * progress ticker at a time.
     */
    synchronized EventData.Progress progressIfChanged(long nowMillis) {
        EventData.Progress p = progress(nowMillis);
        if (p.scanned() == lastReportedScanned && p.detecting() == lastReportedDetecting) {
            return null;
        }
        lastReportedScanned = p.scanned();
        lastReportedDetecting = p.detecting();
        return p;
    }

    EventData.Progress progress(long nowMillis) {
        long o = open.sum();
        long c = closed.sum();
        long f = filtered.sum();
        long e = errors.sum();
        long scanned = o + c + f + e;
        long elapsed = Math.max(0, nowMillis - startMillis);
        double rate = elapsed == 0 ? 0 : scanned * 1000.0 / elapsed;
        double percent = total == 0 ? 100 : Math.round(scanned * 10000.0 / total) / 100.0;
        Long eta = rate > 0 ? Math.round((total - scanned) * 1000.0 / rate) : null;
        return new EventData.Progress(scanned, total, o, c, f, e, percent, Math.round(rate * 10) / 10.0, elapsed, eta,
                Math.max(0, detecting.get()));
    }

    EventData.Done done(ScanStatus status, long nowMillis, String message) {
        EventData.Progress p = progress(nowMillis);
        List<EventData.OpenPort> sorted = openPorts.stream()
                .map(open -> {
                    EventData.Service found = services.get(open.key());
                    return found == null ? open : open.with(found);
                })
                .sorted(EventData.OpenPort.BY_ADDRESS_THEN_PORT)
                .toList();
        return new EventData.Done(status.wireName(), p.scanned(), total, p.open(), p.closed(), p.filtered(), p.errors(),
                p.elapsedMs(), sorted, message);
    }
}
