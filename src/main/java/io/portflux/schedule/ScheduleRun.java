package io.portflux.schedule;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * ScheduleRun is one run of a schedule: the tick it is for, the scan it started, and, once that scan has
 * finished, its diff against the schedule's previous completed run.
 *
 * @param status {@code running}, then the scan's final status; {@code failed} when it could not start
 * @param baseScanId the scan of the previous completed run it was compared with, or null
 * @param changes the changes as JSON ({@code ports}, {@code hostsAppeared}, {@code hostsGone}), or null when there
 *     was nothing to compare with
 * @param changeCount how many ports and hosts changed, or null when there was nothing to compare with
 */
public record ScheduleRun(String scheduleId, Instant tick, @Nullable String scanId, String replica, Instant startedAt,
        String status, @Nullable Instant finishedAt, @Nullable String baseScanId, @Nullable String changes,
        @Nullable Integer changeCount, @Nullable String message) {

    public static final String RUNNING = "running";
    public static final String FAILED = "failed";

    public boolean running() {
        return RUNNING.equals(status);
    }
}
