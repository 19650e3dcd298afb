package io.portflux.web.scans;

import io.portflux.scan.ScanRequest;
import io.portflux.scan.ScanStatus;
import io.portflux.scan.event.EventData;
import io.portflux.store.StoredScan;
import io.portflux.target.ResolvedTarget;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * ScanSnapshot is the state of a background scan as {@code GET /api/scans/{id}} returns it; {@code shards}, for a
 * scan that the replicas share, says where its ranges stand and which replicas hold them.
 */
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
        EventData.@Nullable ShardCounts shards,
        Map<String, String> links) {

    /** The snapshot of a scan as the store holds it. */
    static ScanSnapshot of(StoredScan scan) {
        long total = scan.total();
        double percent = total == 0 ? 0 : Math.round(scan.scanned() * 10000.0 / total) / 100.0;
        return new ScanSnapshot(scan.id(), scan.status().wireName(), scan.request(), scan.targets(), total,
                scan.scanned(), scan.open(), scan.closed(), scan.filtered(), scan.errors(), percent, scan.rate(),
                scan.elapsedMs(), scan.status() == ScanStatus.RUNNING ? scan.etaMs() : null, scan.openPorts(),
                scan.createdAt(), scan.finishedAt(), scan.message(), scan.shards(), links(scan.id()));
    }

    static Map<String, String> links(String id) {
        String self = "/api/scans/" + id;
        return Map.of("self", self, "events", self + "/events", "page", "/?scan=" + id);
    }
}
