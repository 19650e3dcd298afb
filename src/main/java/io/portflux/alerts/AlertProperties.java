package io.portflux.alerts;

import io.portflux.input.Settings;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * AlertProperties configure webhook alerts ({@code portflux.alerts.*}).
 *
 * @param allow where webhooks may go: IP addresses, CIDR blocks, or host names (matched by name); a name not
 *     listed is allowed only when every address it resolves to is inside the listed blocks. Loopback only by
 *     default, like the scan targets, so that a schedule is no way to reach an internal service
 * @param secret the HMAC-SHA256 key of {@code X-PortFlux-Signature}; empty sends webhooks unsigned (with a
 *     warning at start). In Kubernetes it comes from a Secret
 * @param maxAttempts attempts per delivery before it is given up as failed
 * @param firstBackoff wait after the first failed attempt; each further one doubles it
 * @param maxBackoff longest wait between two attempts
 * @param timeout longest wait for a receiver's answer to one attempt
 */
@ConfigurationProperties("portflux.alerts")
public record AlertProperties(
        List<String> allow,
        String secret,
        int maxAttempts,
        Duration firstBackoff,
        Duration maxBackoff,
        Duration timeout) {

    public AlertProperties {
        allow = Settings.notEmpty("portflux.alerts.allow", allow);
        Settings.range("portflux.alerts.max-attempts", maxAttempts, 1, 100);
        Settings.required("portflux.alerts.first-backoff", firstBackoff);
        Settings.required("portflux.alerts.max-backoff", maxBackoff);
        Settings.required("portflux.alerts.timeout", timeout);
        secret = secret == null ? "" : secret;
    }

    /** The wait before attempt {@code attempt + 1} after attempt {@code attempt} (from 1) failed. */
    public Duration backoff(int attempt) {
        Duration wait = firstBackoff.multipliedBy(1L << Math.min(Math.max(attempt - 1, 0), 20));
        return wait.compareTo(maxBackoff) > 0 ? maxBackoff : wait;
    }
}
