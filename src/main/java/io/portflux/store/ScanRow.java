package io.portflux.store;

import io.portflux.scan.ScanStatus;
import io.portflux.scan.event.EventData;
import io.portflux.scan.event.ScanEvent;
import java.time.Instant;
import java.util.List;

/**
 * ScanRow is the running state of one scan's record as its writer folds the scan's events into it, batch by
 * batch: the counters of the newest progress or done event, the targets and total of {@code started}, and
 * the final status once {@code done} is seen. Used by one writer at a time.
 */
final class ScanRow {

    ScanStatus status = ScanStatus.RUNNING;
    List<?> targets;
    long total;
    long scanned;
    long open;
    long closed;
    long filtered;
    long errors;
    Double rate;
    Long elapsedMs;
    Long etaMs;
    String message;
    long lastSeq;
    /** When the scan ended, from its started and done events; null while it runs or without started. */
    Instant finishedAt;
    private EventData.Started started;
    private long openSeen;

    /** Folds {@code event} in; returns whether it is the terminal one. */
    boolean apply(ScanEvent event) {
        lastSeq = Math.max(lastSeq, event.id());
        EventData data = event.data();
        if (data instanceof EventData.Started s) {
            started = s;
            targets = s.targets();
            total = s.total();
        } else if (data instanceof EventData.Port p) {
            if ("open".equals(p.state())) {
                openSeen++;
                // Before the first progress event, the open count is what the port events say.
                open = Math.max(open, openSeen);
            }
        } else if (data instanceof EventData.Progress p) {
            scanned = p.scanned();
            open = p.open();
            closed = p.closed();
            filtered = p.filtered();
            errors = p.errors();
            rate = p.rate();
            elapsedMs = p.elapsedMs();
            etaMs = p.etaMs();
        } else if (data instanceof EventData.Done d) {
            status = ScanStatus.ofWireName(d.status());
            total = d.total();
            scanned = d.scanned();
            open = d.open();
            closed = d.closed();
            filtered = d.filtered();
            errors = d.errors();
            elapsedMs = d.elapsedMs();
            etaMs = null;
            message = d.message();
            finishedAt = started == null ? null : started.endedAt(d);
            return true;
        }
        return false;
    }
}
