package io.portflux.web.quota;

import io.portflux.input.Settings;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

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
@ConfigurationProperties("portflux.quotas")
public record QuotaProperties(
        int maxConcurrentScansPerClient,
        int scansPerMinute,
        long maxProbesPerScan,
        Duration maxScanDuration) {

    public QuotaProperties {
        Settings.range("portflux.quotas.max-concurrent-scans-per-client", maxConcurrentScansPerClient, 0, 1000);
        Settings.range("portflux.quotas.scans-per-minute", scansPerMinute, 0, 100000);
        Settings.atLeast("portflux.quotas.max-probes-per-scan", maxProbesPerScan, 0);
        if (Settings.required("portflux.quotas.max-scan-duration", maxScanDuration).isNegative()) {
            throw new IllegalArgumentException("portflux.quotas.max-scan-duration must not be negative");
        }
    }
}
