package io.portflux.web.scans;

import io.portflux.input.InvalidInputException;
import io.portflux.scan.ScanRequest;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.commons.text.similarity.LevenshteinDistance;

/**
 * ScanParameters reads scan parameters from a JSON body and refuses names that are not scan
 * parameters, in a body or a query string.
 *
 * <p>A misspelt name ({@code prots=22}) would otherwise be ignored and the scan would run with the
 * default in its place, which is worse than a 400 that points at the typo.
 */
public final class ScanParameters {

    /** The scan parameter names, as the fields of {@link ScanRequest}. */
    static final List<String> NAMES =
            Arrays.stream(ScanRequest.class.getRecordComponents()).map(RecordComponent::getName).toList();

    // Farther than this from every known name, a suggestion would be a guess.
    private static final int MAX_SUGGESTION_DISTANCE = 3;
    private static final LevenshteinDistance DISTANCE = new LevenshteinDistance(MAX_SUGGESTION_DISTANCE);

    private ScanParameters() {}

    /**
     * Refuses the first of {@code given} that is not in {@code known}.
     *
     * @param values the given names' values, to quote the offending one
     * @throws InvalidInputException naming the unknown name, its value and the nearest known name
     */
    public static void requireKnown(Collection<String> given, List<String> known, Map<String, ?> values) {
        for (String name : given) {
            if (!known.contains(name)) {
                Object value = values.get(name);
                throw new InvalidInputException(name, value == null ? null : String.valueOf(value), unknown(name, known));
            }
        }
    }

    /**
     * Builds a request from a JSON object: each value must be a string, a number or null.
     *
     * @throws InvalidInputException naming an unknown key, or a key whose value has the wrong type
     */
    public static ScanRequest fromJson(Map<String, Object> body) {
        requireKnown(body.keySet(), NAMES, body);
        return new ScanRequest(text(body, "targets"), text(body, "ports"), text(body, "concurrency"),
                text(body, "timeout"), text(body, "retries"), text(body, "rate"), text(body, "report"),
                text(body, "order"), text(body, "seed"), text(body, "detect"), text(body, "distribute"));
    }

    private static String text(Map<String, Object> body, String name) {
        Object value = body.get(name);
        if (value == null || value instanceof String) {
            return (String) value;
        }
        if (value instanceof Number) {
            // concurrency: 256 and "256" mean the same; the planner checks the range either way.
            return value.toString();
        }
        throw new InvalidInputException(name, String.valueOf(value),
                "expected a JSON string" + (name.equals("targets") || name.equals("ports") ? " (a comma-separated list)" : " or number")
                        + ", got " + kind(value));
    }

    private static String unknown(String name, List<String> known) {
        String nearest = known.stream()
                .filter(k -> DISTANCE.apply(name.toLowerCase(), k.toLowerCase()) >= 0)
                .min(Comparator.comparingInt(k -> DISTANCE.apply(name.toLowerCase(), k.toLowerCase())))
                .orElse(null);
        return "is not a parameter here" + (nearest == null ? "" : "; did you mean '" + nearest + "'?")
                + " Known: " + String.join(", ", known);
    }
    /** How a JSON value that is neither a string nor a number is named in a message. */
    static String kind(Object value) {
        if (value instanceof List<?>) {
            return "an array";
        }
        if (value instanceof Map<?, ?>) {
            return "an object";
        }
        if (value instanceof Boolean) {
            return "a boolean";
        }
        return value.getClass().getSimpleName();
    }

}
