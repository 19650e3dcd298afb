package io.portflux.results;

import io.portflux.input.InvalidInputException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** ExportFormat is one format a stored scan's results can be exported in, with its media type and file extension. */
public enum ExportFormat {
    JSON("json", "application/json", "json"),
    NDJSON("ndjson", "application/x-ndjson", "ndjson"),
    CSV("csv", "text/csv", "csv"),
    XML("xml", "application/xml", "xml"),
    GREPABLE("grepable", "text/plain", "gnmap");

    /** The query parameter that names a format. */
    public static final String FIELD = "format";

    private final String wireName;
    private final String mediaType;
    private final String extension;

    ExportFormat(String wireName, String mediaType, String extension) {
        this.wireName = wireName;
        this.mediaType = mediaType;
        this.extension = extension;
    }

    public String wireName() {
        return wireName;
    }

    /** The media type without parameters, e.g. {@code text/csv}. */
    public String mediaType() {
        return mediaType;
    }

    /** The file name extension of a download. */
    public String extension() {
        return extension;
    }

    /**
     * The format named {@code name}.
     *
     * @throws InvalidInputException naming field {@code format} and the value
     */
    public static ExportFormat named(String name) {
        return Arrays.stream(values()).filter(f -> f.wireName.equals(name.strip().toLowerCase(Locale.ROOT))).findFirst()
                .orElseThrow(() -> new InvalidInputException(FIELD, name, "not a format: use one of " + names()));
    }

    /** The format whose media type is {@code type}/{@code subtype}; text/xml is XML too. */
    public static Optional<ExportFormat> ofMediaType(String type, String subtype) {
        String given = (type + "/" + subtype).toLowerCase(Locale.ROOT);
        if (given.equals("text/xml")) {
            return Optional.of(XML);
        }
        return Arrays.stream(values()).filter(f -> f.mediaType.equals(given)).findFirst();
    }

    /** The format names, comma-separated. */
    public static String names() {
        return Arrays.stream(values()).map(ExportFormat::wireName).collect(Collectors.joining(", "));
    }
}
