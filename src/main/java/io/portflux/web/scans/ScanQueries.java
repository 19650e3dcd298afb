package io.portflux.web.scans;

import io.portflux.input.InvalidInputException;
import io.portflux.scan.ScanStatus;
import io.portflux.store.ScanQuery;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.stream.Collectors;

/** ScanQueries reads the list's query parameters into a {@link ScanQuery}, naming the field of a bad value. */
final class ScanQueries {

    /** Scans on a page when the client does not say. */
    static final int DEFAULT_SIZE = 100;
    private static final int MAX_TARGET = 200;

    private ScanQueries() {}

    static ScanQuery parse(String status, String target, String since, String until, String page, String size) {
        if (target != null && target.length() > MAX_TARGET) {
            throw new InvalidInputException("target", target.substring(0, 40) + "…",
                    "must be at most " + MAX_TARGET + " characters");
        }
        Instant from = instant("since", since);
        Instant to = instant("until", until);
        if (from != null && to != null && !from.isBefore(to)) {
            throw new InvalidInputException("until", until, "must be after since (" + since + ")");
        }
        return new ScanQuery(status(status), target, from, to, number("page", page, 0, 0, 1_000_000),
                number("size", size, DEFAULT_SIZE, 1, ScanQuery.MAX_SIZE));
    }

    private static ScanStatus status(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        for (ScanStatus status : ScanStatus.values()) {
            if (status.wireName().equals(value.trim())) {
                return status;
            }
        }
        throw new InvalidInputException("status", value, "must be one of " + Arrays.stream(ScanStatus.values())
                .map(ScanStatus::wireName).collect(Collectors.joining(", ")));
    }

    private static Instant instant(String field, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(value.trim());
        } catch (DateTimeParseException e) {
            throw new InvalidInputException(field, value, "must be an ISO-8601 instant such as 2026-01-31T12:00:00Z");
        }
    }

    private static int number(String field, String value, int fallback, int min, int max) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // Reported below with the range.
        }
        throw new InvalidInputException(field, value, "must be a whole number from " + min + " to " + max);
    }
}
