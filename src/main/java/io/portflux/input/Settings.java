package io.portflux.input;

import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Settings are the checks a {@code @ConfigurationProperties} record makes of its own values as Spring binds it:
 * a bad value fails the start with a message that names the property and the value.
 *
 * <p>They replace Bean Validation annotations on the records. Hibernate Validator built its metadata for each
 * record and a validator factory of its own at every start: about 0.35 s of the main thread on two cores, out of a
 * 3 s budget for the service to be ready (README, "Footprint"). The checks are simple ranges and presence.
 */
public final class Settings {

    private Settings() {}

    /** {@code value}, when it is from {@code min} to {@code max}. */
    public static int range(String property, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(property + " must be from " + min + " to " + max + ", not " + value);
        }
        return value;
    }

    /** {@code value}, when it is {@code min} or more. */
    public static long atLeast(String property, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException(property + " must be at least " + min + ", not " + value);
        }
        return value;
    }

    /** {@code value}, when it is set. */
    public static Duration required(String property, @Nullable Duration value) {
        if (value == null) {
            throw new IllegalArgumentException(property + " must be set");
        }
        return value;
    }

    /** {@code value}, when it is set and not blank. */
    public static String notBlank(String property, @Nullable String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(property + " must not be blank");
        }
        return value;
    }

    /** An unmodifiable copy of {@code value}, when it has at least one element. */
    public static List<String> notEmpty(String property, @Nullable List<String> value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(property + " must list at least one entry");
        }
        return List.copyOf(value);
    }
}
