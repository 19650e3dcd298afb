package io.portflux.web.quota;

import java.time.Duration;

/** QuotaExceededException is a scan refused because its client is over one of its quotas (HTTP 429). */
public class QuotaExceededException extends RuntimeException {

    private final String quota;
    private final Duration retryAfter;

    public QuotaExceededException(String quota, String message, Duration retryAfter) {
        super(message);
        this.quota = quota;
        this.retryAfter = retryAfter;
    }

    /** The property name of the quota, such as {@code scans-per-minute}. */
    public String quota() {
        return quota;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
