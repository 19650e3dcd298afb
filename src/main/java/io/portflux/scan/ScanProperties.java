package io.portflux.scan;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * ScanProperties are the per-scan defaults and limits ({@code portflux.scan.*}).
 *
 * @param maxProbes largest accepted scan, in probes (hosts × ports); larger scans get a 413
 * @param defaultConcurrency probes in flight for a scan that does not ask
 * @param maxConcurrency most probes in flight a scan may ask for
 * @param defaultTimeout connect timeout for a scan that does not ask
 * @param minTimeout shortest connect timeout a scan may ask for
 * @param maxTimeout longest connect timeout a scan may ask for
 * @param defaultRetries extra tries for a probe that got no answer, when a scan does not ask
 * @param maxRetries most retries a scan may ask for
 * @param maxRate most probes per second a scan may ask for
 * @param progressInterval shortest time between two progress events
 * @param heartbeatInterval idle time after which a stream gets a keep-alive comment
 */
@Validated
@ConfigurationProperties("portflux.scan")
public record ScanProperties(
        @Min(1) long maxProbes,
        @Min(1) @Max(65536) int defaultConcurrency,
        @Min(1) @Max(65536) int maxConcurrency,
        @NotNull Duration defaultTimeout,
        @NotNull Duration minTimeout,
        @NotNull Duration maxTimeout,
        @Min(0) @Max(10) int defaultRetries,
        @Min(0) @Max(10) int maxRetries,
        @Min(1) int maxRate,
        @NotNull Duration progressInterval,
        @NotNull Duration heartbeatInterval) {}
