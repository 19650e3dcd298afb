package io.portflux.scan;

import java.time.Duration;
import java.util.Objects;

/**
 * ScanLimits are the defaults and bounds that a scan request is checked against; {@code detectByDefault} is
 * whether a {@code report=open} scan that does not say gets service detection.
 */
public record ScanLimits(
        long maxProbes,
        int defaultConcurrency,
        int maxConcurrency,
        Duration defaultTimeout,
        Duration minTimeout,
        Duration maxTimeout,
        int defaultRetries,
        int maxRetries,
        int maxRate,
        boolean detectByDefault) {

    /** Limits under which detection is on by default. */
    public ScanLimits(long maxProbes, int defaultConcurrency, int maxConcurrency, Duration defaultTimeout,
            Duration minTimeout, Duration maxTimeout, int defaultRetries, int maxRetries, int maxRate) {
        this(maxProbes, defaultConcurrency, maxConcurrency, defaultTimeout, minTimeout, maxTimeout, defaultRetries,
                maxRetries, maxRate, true);
    }

    public ScanLimits {
        Objects.requireNonNull(defaultTimeout, "defaultTimeout");
        Objects.requireNonNull(minTimeout, "minTimeout");
        Objects.requireNonNull(maxTimeout, "maxTimeout");
        if (maxProbes < 1 || maxConcurrency < 1 || maxRate < 1) {
            throw new IllegalArgumentException("limits must be positive");
        }
        if (defaultConcurrency < 1 || defaultConcurrency > maxConcurrency) {
            throw new IllegalArgumentException("defaultConcurrency must be in [1, maxConcurrency]");
        }
        if (minTimeout.isNegative() || minTimeout.isZero() || minTimeout.compareTo(maxTimeout) > 0) {
            throw new IllegalArgumentException("need 0 < minTimeout <= maxTimeout");
        }
        if (defaultTimeout.compareTo(minTimeout) < 0 || defaultTimeout.compareTo(maxTimeout) > 0) {
            throw new IllegalArgumentException("defaultTimeout must lie in [minTimeout, maxTimeout]");
        }
        if (defaultRetries < 0 || defaultRetries > maxRetries) {
            throw new IllegalArgumentException("defaultRetries must be in [0, maxRetries]");
        }
    }
}
