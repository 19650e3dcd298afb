package io.portflux.config;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * ProbeProperties tune the connect transport ({@code portflux.probe.*}).
 *
 * @param eventLoops probe event loops; 0 means one per available processor
 * @param inFlightBudget probes in flight across all scans of the process; 0 derives it from the
 *     process's open-file limit minus {@code fdHeadroom}
 * @param fdHeadroom file descriptors kept free for the server, logs and the JVM
 */
@Validated
@ConfigurationProperties("portflux.probe")
public record ProbeProperties(
        @Min(0) @Max(64) int eventLoops,
        @Min(0) int inFlightBudget,
        @Min(0) int fdHeadroom) {}
