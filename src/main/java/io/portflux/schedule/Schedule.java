package io.portflux.schedule;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Schedule is a stored schedule: its spec and what the replicas keep on its row.
 *
 * @param nextRun the next cron time it runs at, or null while it is off (or its cron has no next time)
 * @param owner the replica that holds it (ran its last tick), or null before its first tick
 * @param runningScan the scan of its run in progress, or null
 * @param skipped ticks skipped because the previous run was still going
 */
public record Schedule(String id, ScheduleSpec spec, Instant createdAt, Instant updatedAt, @Nullable Instant nextRun,
        @Nullable String owner, @Nullable String runningScan, long skipped) {

    public Schedule {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(spec, "spec");
    }

    public String name() {
        return spec.name();
    }
}
