package io.portflux.store;

import io.portflux.scan.ScanRequest;
import io.portflux.scan.ScanStatus;
import io.portflux.scan.event.EventData;
import io.portflux.target.ResolvedTarget;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * StoredScan is the record of one scan as the store holds it: what was asked, where it stands, its
 * counters as of its newest stored event, and its open ports.
 *
 * @param rate probes per second in the newest stored progress event, or null before the first
 * @param elapsedMs time since the start in the newest stored progress or done event, or null before either
 * @param etaMs expected time left while running, or null
 * @param finishedAt when the scan ended, or null while it runs
 * @param message why it ended early, or null
 * @param owner the replica that runs or ran it (for a distributed scan, the one that started it)
 * @param distributed whether its ranges are shared by the replicas (see {@link ShardStore})
 * @param shards where a distributed scan's ranges stand, when read with it; else null
 */
public record StoredScan(
        String id,
        ScanRequest request,
        ScanStatus status,
        List<ResolvedTarget> targets,
        long total,
        long scanned,
        long open,
        long closed,
        long filtered,
        long errors,
        Double rate,
        Long elapsedMs,
        Long etaMs,
        String message,
        Instant createdAt,
        Instant finishedAt,
        String owner,
        List<EventData.OpenPort> openPorts,
        boolean distributed,
        EventData.@Nullable ShardCounts shards) {

    public StoredScan {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(status, "status");
        targets = List.copyOf(targets);
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(owner, "owner");
        openPorts = List.copyOf(openPorts);
    }

    /** This record with {@code ports} as its open ports. */
    StoredScan withOpenPorts(List<EventData.OpenPort> ports) {
        return new StoredScan(id, request, status, targets, total, scanned, open, closed, filtered, errors, rate,
                elapsedMs, etaMs, message, createdAt, finishedAt, owner, ports, distributed, shards);
    }

    /** This record with {@code counts} as where its ranges stand. */
    StoredScan withShards(EventData.ShardCounts counts) {
        return new StoredScan(id, request, status, targets, total, scanned, open, closed, filtered, errors, rate,
                elapsedMs, etaMs, message, createdAt, finishedAt, owner, openPorts, distributed, counts);
    }
}
