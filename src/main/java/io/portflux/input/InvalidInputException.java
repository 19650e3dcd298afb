package io.portflux.input;

import java.util.Objects;

/** InvalidInputException is a rejected scan parameter; it names the field and the offending value. */
public class InvalidInputException extends RuntimeException {

    private final String field;
    private final String value;

    public InvalidInputException(String field, String value, String problem) {
        super(field + "=" + quote(value) + ": " + problem);
        this.field = Objects.requireNonNull(field, "field");
        this.value = value;
    }

    public String field() {
        return field;
    }

    /** The offending value as given (may be null when the field was missing). */
    public String value() {
        return value;
    }

    private static String quote(String value) {
        return value == null ? "(missing)" : "'" + value + "'";
    }
}
