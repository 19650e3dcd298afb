package io.portflux.metrics;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Scrape is one parsed Prometheus text exposition: a sample value for every series line. */
record Scrape(String text, Map<String, Double> samples) {

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})?\\s+(\\S+)");

    static Scrape parse(String text) {
        Map<String, Double> samples = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            if (m.find()) {
                samples.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), Double.parseDouble(m.group(3)));
            }
        }
        return new Scrape(text, samples);
    }

    /**
     * The sum over the series of {@code name} that carry every label in {@code labels}
     * ({@code key="value"} each); null when no such series is present.
     */
    Double value(String name, String... labels) {
        Double sum = null;
        for (Map.Entry<String, Double> e : samples.entrySet()) {
            String series = e.getKey();
            if (!series.equals(name) && !series.startsWith(name + "{")) {
                continue;
            }
            boolean all = true;
            for (String label : labels) {
                all &= series.contains("{" + label + ",") || series.contains("," + label + ",")
                        || series.contains("{" + label + "}") || series.contains("," + label + "}");
            }
            if (all) {
                sum = (sum == null ? 0 : sum) + e.getValue();
            }
        }
        return sum;
    }

    /** Series lines of {@code name}, for assertion messages and bucket checks. */
    long count(String name) {
        return samples.keySet().stream().filter(s -> s.equals(name) || s.startsWith(name + "{")).count();
    }
}
