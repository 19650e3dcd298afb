package io.portflux.web.scans;

import java.time.Duration;

/** TooManyScansException is a new background scan past the running-scan limit (HTTP 429). */
public class TooManyScansException extends RuntimeException {

    private final Duration retryAfter;

    public TooManyScansException(int limit, Duration retryAfter) {
        super(limit + " background scans are running, the most allowed at once; retry later or cancel one");
        this.retryAfter = retryAfter;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
