package io.portflux.web.scans;

import io.portflux.input.Settings;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * RegistryProperties bound the background scans kept by the server ({@code portflux.scans.*}).
 *
 * @param maxRunning background scans that may run at once; past it, new ones get a 429
 * @param retention how long a finished scan is kept before it is evicted
 * @param maxRetained most finished scans kept; the oldest go first
 * @param journalMaxEvents most events kept per scan journal (started, port and done events are
 *     always kept; progress events are thinned first)
 */
@ConfigurationProperties("portflux.scans")
public record RegistryProperties(
        int maxRunning,
        Duration retention,
        int maxRetained,
        int journalMaxEvents) {

    public RegistryProperties {
        Settings.range("portflux.scans.max-running", maxRunning, 1, 1000);
        Settings.required("portflux.scans.retention", retention);
        Settings.atLeast("portflux.scans.max-retained", maxRetained, 1);
        Settings.atLeast("portflux.scans.journal-max-events", journalMaxEvents, 16);
    }
}
