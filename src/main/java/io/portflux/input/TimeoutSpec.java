package io.portflux.input;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * TimeoutSpec parses a duration parameter such as {@code timeout}: {@code 500ms}, {@code 2s},
 * {@code 1.5s}, {@code 1m}, or a bare whole number of milliseconds.
 *
 * <p>It only checks syntax and positivity; the caller enforces its own lower and upper limits.
 */
public final class TimeoutSpec {

    private static final Pattern DURATION = Pattern.compile("([0-9]{1,18}(?:\\.[0-9]{1,9})?)(ms|s|m)?");
    private static final BigDecimal NANOS_PER_MILLI = BigDecimal.valueOf(1_000_000L);
    private static final BigDecimal NANOS_PER_SECOND = BigDecimal.valueOf(1_000_000_000L);
    private static final BigDecimal NANOS_PER_MINUTE = BigDecimal.valueOf(60_000_000_000L);
    private static final BigDecimal MAX_NANOS = BigDecimal.valueOf(Long.MAX_VALUE);
    private static final String FORMS = "use a duration such as 500ms, 2s, 1.5s, 1m, or a whole number of milliseconds";

    private TimeoutSpec() {}

    /**
     * Parses {@code value} as a positive duration.
     *
     * @param field the parameter name reported in errors, e.g. {@code timeout}
     * @throws InvalidInputException naming {@code field} and {@code value}
     */
    public static Duration parse(String field, String value) {
        Objects.requireNonNull(field, "field");
        if (value == null || value.isBlank()) {
            throw new InvalidInputException(field, value, "a duration is required; " + FORMS);
        }
        String text = value.strip().toLowerCase(Locale.ROOT);
        if (text.startsWith("-")) {
            throw new InvalidInputException(field, value, "must be positive");
        }
        Matcher matcher = DURATION.matcher(text);
        if (!matcher.matches()) {
            throw new InvalidInputException(field, value, "not a duration; " + FORMS);
        }
        BigDecimal amount = new BigDecimal(matcher.group(1));
        String unit = matcher.group(2);
        if (unit == null && amount.scale() > 0) {
            throw new InvalidInputException(
                    field, value, "a bare number means milliseconds and must be whole; add a unit, e.g. 1.5s");
        }
        BigDecimal perUnit =
                switch (unit == null ? "ms" : unit) {
                    case "ms" -> NANOS_PER_MILLI;
                    case "s" -> NANOS_PER_SECOND;
                    case "m" -> NANOS_PER_MINUTE;
                    default -> throw new IllegalStateException("unit " + unit);
                };
        BigDecimal nanos = amount.multiply(perUnit);
        if (nanos.signum() == 0) {
            throw new InvalidInputException(field, value, "must be greater than zero");
        }
        if (nanos.compareTo(MAX_NANOS) > 0) {
            throw new InvalidInputException(field, value, "too large");
        }
        if (nanos.stripTrailingZeros().scale() > 0) {
            throw new InvalidInputException(field, value, "finer than a nanosecond");
        }
        return Duration.ofNanos(nanos.longValueExact());
    }
}
