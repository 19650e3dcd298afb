package io.portflux.scan;

import org.jspecify.annotations.Nullable;

/**
 * ScanRequest holds the scan parameters exactly as a client sent them, before validation.
 *
 * <p>Every field is a string so that a bad value is reported with its own field name and text,
 * whether it came from a query string or a JSON body. A parameter the client did not send is null.
 */
public record ScanRequest(
        @Nullable String targets,
        @Nullable String ports,
        @Nullable String concurrency,
        @Nullable String timeout,
        @Nullable String retries,
        @Nullable String rate,
        @Nullable String report,
        @Nullable String order,
        @Nullable String seed,
        @Nullable String detect,
        @Nullable String distribute) {

    /** A request that leaves {@code distribute} to its default. */
    public ScanRequest(@Nullable String targets, @Nullable String ports, @Nullable String concurrency,
            @Nullable String timeout, @Nullable String retries, @Nullable String rate, @Nullable String report,
            @Nullable String order, @Nullable String seed, @Nullable String detect) {
        this(targets, ports, concurrency, timeout, retries, rate, report, order, seed, detect, null);
    }

    /** A request that leaves {@code detect} to its default. */
    public ScanRequest(@Nullable String targets, @Nullable String ports, @Nullable String concurrency,
            @Nullable String timeout, @Nullable String retries, @Nullable String rate, @Nullable String report,
            @Nullable String order, @Nullable String seed) {
        this(targets, ports, concurrency, timeout, retries, rate, report, order, seed, null);
    }
}
