package io.portflux.web.scans;

import io.portflux.port.PortList;
import io.portflux.scan.ScanRequest;
import io.portflux.scan.ScanStatus;
import io.portflux.scan.event.EventData;
import io.portflux.scan.event.ScanEvent;
import io.portflux.target.ResolvedTarget;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.SignalType;
import tools.jackson.databind.json.JsonMapper;

/**
 * ScanAudit writes one JSON line per scan, when it ends, to the {@code portflux.audit} logger:
 * who ran it, the targets as given and as resolved, the port and probe counts, the outcome, the
 * counters and the duration.
 *
 * <p>The client is the token's non-secret id or the remote address; the token itself never appears.
 */
@Component
public class ScanAudit {

    public static final String LOGGER = "portflux.audit";

    private static final Logger audit = LoggerFactory.getLogger(LOGGER);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * {@code events} as they are, logging the audit line once the scan ends, however it ends: with
     * a {@code done} event, a broken stream, or a client that went away before {@code done}.
     */
    public Flux<ScanEvent> record(Flux<ScanEvent> events, String kind, String client, ScanRequest request) {
        return Flux.defer(() -> {
            Seen seen = new Seen(System.nanoTime());
            return events.doOnNext(seen::see).doFinally(signal -> write(seen, signal, kind, client, request));
        });
    }

    private static void write(Seen seen, SignalType signal, String kind, String client, ScanRequest request) {
        if (!audit.isInfoEnabled()) {
            return;
        }
        EventData.Started started = seen.started;
        EventData.Done done = seen.done;
        EventData.Progress progress = seen.progress;
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("event", "scan");
        line.put("kind", kind);
        line.put("scanId", started == null ? null : started.scanId());
        line.put("client", client);
        line.put("targets", request.targets());
        line.put("ports", request.ports() == null ? PortList.DEFAULT : request.ports());
        List<Map<String, Object>> resolved = new ArrayList<>();
        if (started != null) {
            for (ResolvedTarget t : started.targets()) {
                Map<String, Object> target = new LinkedHashMap<>();
                target.put("spec", t.spec());
                target.put("ip", t.ip());
                if (t.host() != null) {
                    target.put("host", t.host());
                }
                if (t.error() != null) {
                    target.put("error", t.error());
                }
                resolved.add(target);
            }
        }
        line.put("resolved", resolved);
        line.put("portCount", started == null ? 0 : started.ports());
        line.put("total", started == null ? 0 : started.total());
        if (done != null) {
            line.put("status", done.status());
            counters(line, done.scanned(), done.open(), done.closed(), done.filtered(), done.errors());
            line.put("durationMs", done.elapsedMs());
            line.put("message", done.message());
        } else {
            // No done event: the subscriber went away (a streaming client hung up) or the stream broke.
            line.put("status", (signal == SignalType.ON_ERROR ? ScanStatus.FAILED : ScanStatus.CANCELLED).wireName());
            if (progress != null) {
                counters(line, progress.scanned(), progress.open(), progress.closed(), progress.filtered(), progress.errors());
            } else {
                counters(line, 0, 0, 0, 0, 0);
            }
            line.put("durationMs", (System.nanoTime() - seen.startNanos) / 1_000_000);
            line.put("message", signal == SignalType.CANCEL ? "the client went away" : "the event stream broke off");
        }
        line.values().removeIf(v -> v == null);
        audit.info(JSON.writeValueAsString(line));
    }

    private static void counters(Map<String, Object> line, long scanned, long open, long closed, long filtered, long errors) {
        line.put("scanned", scanned);
        line.put("open", open);
        line.put("closed", closed);
        line.put("filtered", filtered);
        line.put("errors", errors);
    }

    /** What the audit line needs from the scan's events; written by the scan's one subscriber. */
    private static final class Seen {
        final long startNanos;
        volatile EventData.Started started;
        volatile EventData.Progress progress;
        volatile EventData.Done done;

        Seen(long startNanos) {
            this.startNanos = startNanos;
        }

        void see(ScanEvent event) {
            EventData data = event.data();
            if (data instanceof EventData.Started s) {
                started = s;
            } else if (data instanceof EventData.Progress p) {
                progress = p;
            } else if (data instanceof EventData.Done d) {
                done = d;
            }
        }
    }
}
