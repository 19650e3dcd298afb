package io.portflux.schedule;

import io.portflux.scan.ScanRequest;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.scheduling.support.CronExpression;

/**
 * ScheduleSpec is what a client says a schedule is: its name, the scan to run (the parameters of
 * {@code POST /api/scans}), a cron expression with seconds (Spring's {@link CronExpression}) read in a time
 * zone, whether it is on, and where its alerts go. The parts are valid when it exists: see
 * {@link ScheduleValidation}.
 *
 * @param webhook the URL that gets a signed POST when a run finds changes, or null for none
 */
public record ScheduleSpec(String name, String cron, ZoneId zone, boolean enabled, ScanRequest scan,
        @Nullable String webhook) {

    public ScheduleSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(cron, "cron");
        Objects.requireNonNull(zone, "zone");
        Objects.requireNonNull(scan, "scan");
    }

    /** The first cron time strictly after {@code after}, or null when the expression has none. */
    public @Nullable Instant next(Instant after) {
        ZonedDateTime next = CronExpression.parse(cron).next(after.atZone(zone));
        return next == null ? null : next.toInstant();
    }
}
