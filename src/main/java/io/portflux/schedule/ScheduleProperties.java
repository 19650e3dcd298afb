package io.portflux.schedule;

import io.portflux.input.Settings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * ScheduleProperties configure schedules ({@code portflux.schedules.*}).
 *
 * @param pollInterval how often each replica looks for due ticks and due webhook attempts; a run starts at most
 *     this long after its cron time
 * @param catchUp whether a schedule whose ticks were missed (every replica was down, or the lease was moving)
 *     runs once for them when it is next looked at; missed ticks are never replayed one by one
 * @param declared schedules declared in the configuration (from the Helm chart's values), written by name at
 *     start: created when missing, replaced when they differ
 */
@ConfigurationProperties("portflux.schedules")
public record ScheduleProperties(
        Duration pollInterval,
        boolean catchUp,
        List<Declared> declared) {

    public ScheduleProperties {
        Settings.required("portflux.schedules.poll-interval", pollInterval);
        declared = declared == null ? List.of() : List.copyOf(declared);
    }

    /**
     * A schedule declared in the configuration, with the fields of the API's body.
     *
     * @param scan the scan parameters, by name
     * @param webhook the alerts' webhook URL, or empty for none
     */
    public record Declared(String name, String cron, @Nullable String zone, @Nullable Boolean enabled,
            Map<String, String> scan, @Nullable String webhook) {}
}
