package io.portflux.alerts;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

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
@Validated
@ConfigurationProperties("portflux.alerts")
public record AlertProperties(
        @NotEmpty List<String> allow,
        String secret,
        @Min(1) @Max(100) int maxAttempts,
        @NotNull Duration firstBackoff,
        @NotNull Duration maxBackoff,
        @NotNull Duration timeout) {

    public AlertProperties {
        secret = secret == null ? "" : secret;
    }

    /** The wait before attempt {@code attempt + 1} after attempt {@code attempt} (from 1) failed. */
    public Duration backoff(int attempt) {
        Duration wait = firstBackoff.multipliedBy(1L << Math.min(Math.max(attempt - 1, 0), 20));
        return wait.compareTo(maxBackoff) > 0 ? maxBackoff : wait;
    }
}
