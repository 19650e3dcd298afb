package io.portflux.web.scans;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * RegistryProperties bound the background scans kept by the server ({@code portflux.scans.*}).
 *
 * @param maxRunning background scans that may run at once; past it, new ones get a 429
 * @param retention how long a finished scan is kept before it is evicted
 * @param maxRetained most finished scans kept; the oldest go first
 * @param journalMaxEvents most events kept per scan journal (started, port and done events are
 *     always kept; progress events are thinned first)
 */
@Validated
@ConfigurationProperties("portflux.scans")
public record RegistryProperties(
        @Min(1) @Max(1000) int maxRunning,
        @NotNull Duration retention,
        @Min(1) int maxRetained,
        @Min(16) int journalMaxEvents) {}
