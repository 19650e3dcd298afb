package io.portflux.web.quota;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.Objects;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * QuotaProperties bound what one client may run ({@code portflux.quotas.*}). A client is a token
 * when authentication is on, else a remote address; 0 turns a quota off.
 *
 * @param maxConcurrentScansPerClient scans one client may have running at once, streamed and
 *     background together; past it, 429 with {@code Retry-After}
 * @param scansPerMinute new scans one client may start per minute (a token bucket refilled
 *     evenly over the minute); past it, 429 with {@code Retry-After}
 * @param maxProbesPerScan probes one scan may have; it can lower {@code portflux.scan.max-probes}
 *     but never raise it; past it, 413
 * @param maxScanDuration longest a scan may run before it is stopped as {@code cancelled}
 */
@Validated
@ConfigurationProperties("portflux.quotas")
public record QuotaProperties(
        @Min(0) @Max(1000) int maxConcurrentScansPerClient,
        @Min(0) @Max(100000) int scansPerMinute,
        @Min(0) long maxProbesPerScan,
        @NotNull Duration maxScanDuration) {

    public QuotaProperties {
        Objects.requireNonNull(maxScanDuration, "maxScanDuration");
        if (maxScanDuration.isNegative()) {
            throw new IllegalArgumentException("portflux.quotas.max-scan-duration must not be negative");
        }
    }
}
