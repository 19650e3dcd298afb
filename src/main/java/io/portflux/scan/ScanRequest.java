package io.portflux.scan;

/**
 * ScanRequest holds the scan parameters exactly as a client sent them, before validation.
 *
 * <p>Every field is a string so that a bad value is reported with its own field name and text,
 * whether it came from a query string or a JSON body.
 */
public record ScanRequest(
        String targets,
        String ports,
        String concurrency,
        String timeout,
        String retries,
        String rate,
        String report,
        String order,
        String seed) {}
