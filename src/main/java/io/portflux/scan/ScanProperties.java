package io.portflux.scan;

import io.portflux.input.Settings;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

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
@ConfigurationProperties("portflux.scan")
public record ScanProperties(
        long maxProbes,
        int defaultConcurrency,
        int maxConcurrency,
        Duration defaultTimeout,
        Duration minTimeout,
        Duration maxTimeout,
        int defaultRetries,
        int maxRetries,
        int maxRate,
        Duration progressInterval,
        Duration heartbeatInterval) {

    public ScanProperties {
        Settings.atLeast("portflux.scan.max-probes", maxProbes, 1);
        Settings.range("portflux.scan.default-concurrency", defaultConcurrency, 1, 65536);
        Settings.range("portflux.scan.max-concurrency", maxConcurrency, 1, 65536);
        Settings.required("portflux.scan.default-timeout", defaultTimeout);
        Settings.required("portflux.scan.min-timeout", minTimeout);
        Settings.required("portflux.scan.max-timeout", maxTimeout);
        Settings.range("portflux.scan.default-retries", defaultRetries, 0, 10);
        Settings.range("portflux.scan.max-retries", maxRetries, 0, 10);
        Settings.atLeast("portflux.scan.max-rate", maxRate, 1);
        Settings.required("portflux.scan.progress-interval", progressInterval);
        Settings.required("portflux.scan.heartbeat-interval", heartbeatInterval);
    }
}
