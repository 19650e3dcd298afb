package io.portflux.web.scans;

import io.portflux.scan.ScanRequest;
import io.portflux.scan.event.EventData;
import io.portflux.target.ResolvedTarget;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** ScanSnapshot is the state of a background scan as {@code GET /api/scans/{id}} returns it. */
public record ScanSnapshot(
        String id,
        String status,
        ScanRequest request,
        List<ResolvedTarget> targets,
        long total,
        long scanned,
        long open,
        long closed,
        long filtered,
        long errors,
        double percent,
        @Nullable Double rate,
        @Nullable Long elapsedMs,
        @Nullable Long etaMs,
        List<EventData.OpenPort> openPorts,
        Instant startedAt,
        @Nullable Instant finishedAt,
        @Nullable String message,
        Map<String, String> links) {

    static Map<String, String> links(String id) {
        String self = "/api/scans/" + id;
        return Map.of("self", self, "events", self + "/events", "page", "/?scan=" + id);
    }
}
