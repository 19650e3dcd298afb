package io.portflux.store.database;

import io.r2dbc.spi.ConnectionFactoryOptions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * StoreUrls derives every database URL PortFlux needs from the one R2DBC URL an operator sets: the
 * embedded default, the H2 options the store's SQL relies on, and Flyway's JDBC URL.
 */
public final class StoreUrls {

    /**
     * H2 must speak PostgreSQL's dialect (ON CONFLICT DO NOTHING), so one SQL serves both. Only options that
     * r2dbc-h2 passes on belong here (it drops DATABASE_TO_LOWER, for one): R2DBC and Flyway's JDBC must open
     * the file with the same settings. H2 must not close the database in its own shutdown hook either: the
     * last events of the scans that a SIGTERM ends are written after the JVM has begun to shut down.
     */
    // CACHE_SIZE is in KiB: H2's default page cache (64 MiB) alone would take two thirds of the heap a
    // 256 MiB pod gives the JVM (bench/footprint.sh ran out of heap with it); 8 MiB holds the hot pages.
    static final List<Map.Entry<String, String>> H2_OPTIONS = List.of(Map.entry("MODE", "PostgreSQL"),
            Map.entry("DB_CLOSE_ON_EXIT", "FALSE"), Map.entry("CACHE_SIZE", "8192"));

    private StoreUrls() {}

    /** The embedded store: an H2 database in a file named {@code portflux} under {@code directory}. */
    static String embedded(String directory) {
        String dir = directory.replace('\\', '/');
        if (dir.length() > 1 && dir.endsWith("/")) {
            dir = dir.substring(0, dir.length() - 1);
        }
        if (!dir.startsWith("/") && !dir.startsWith(".") && !dir.startsWith("~")) {
            // H2 refuses a path that is only implicitly relative to the working directory.
            dir = "./" + dir;
        }
        return withH2Options("r2dbc:h2:file:///" + dir + "/portflux");
    }

    /** Whether {@code r2dbcUrl} names an H2 database, which only this process can open. */
    public static boolean isH2(String r2dbcUrl) {
        return "h2".equals(driver(ConnectionFactoryOptions.parse(r2dbcUrl)));
    }

    /** {@code r2dbcUrl} with the H2 options the store needs, unless it says otherwise; other URLs as given. */
    public static String withH2Options(String r2dbcUrl) {
        if (!isH2(r2dbcUrl)) {
            return r2dbcUrl;
        }
        StringBuilder url = new StringBuilder(r2dbcUrl);
        char separator = r2dbcUrl.contains("?") ? '&' : '?';
        for (Map.Entry<String, String> option : H2_OPTIONS) {
            if (!r2dbcUrl.toUpperCase(Locale.ROOT).contains(option.getKey() + "=")) {
                url.append(separator).append(option.getKey()).append('=').append(option.getValue());
                separator = '&';
            }
        }
        return url.toString();
    }

    /** Flyway's JDBC URL for the database that {@code r2dbcUrl} names (H2 or PostgreSQL). */
    public static String jdbc(String r2dbcUrl) {
        ConnectionFactoryOptions options = ConnectionFactoryOptions.parse(r2dbcUrl);
        String driver = driver(options);
        String database = String.valueOf(options.getValue(ConnectionFactoryOptions.DATABASE));
        Map<String, String> extra = extraOptions(r2dbcUrl);
        switch (driver) {
            case "h2" -> {
                String protocol = protocol(options);
                StringBuilder url = new StringBuilder("jdbc:h2:").append(protocol).append(':').append(database);
                extra.forEach((k, v) -> url.append(';').append(k).append('=').append(v));
                return url.toString();
            }
            case "postgresql", "postgres" -> {
                Object host = options.getValue(ConnectionFactoryOptions.HOST);
                Object port = options.getValue(ConnectionFactoryOptions.PORT);
                String query = extra.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                        .collect(Collectors.joining("&"));
                return "jdbc:postgresql://" + host + (port == null ? "" : ":" + port) + "/"
                        + (database == null || "null".equals(database) ? "" : database)
                        + (query.isEmpty() ? "" : "?" + query);
            }
            default -> throw new IllegalArgumentException("spring.r2dbc.url: unsupported database '" + driver
                    + "'; PortFlux stores scans in PostgreSQL or H2");
        }
    }

    // The protocol after the driver: "file" or "mem" for H2, also behind r2dbc:pool:.
    private static String protocol(ConnectionFactoryOptions options) {
        String protocol = String.valueOf(options.getValue(ConnectionFactoryOptions.PROTOCOL));
        return "pool".equals(String.valueOf(options.getValue(ConnectionFactoryOptions.DRIVER)))
                ? protocol.substring(protocol.indexOf(':') + 1) : protocol;
    }

    private static String driver(ConnectionFactoryOptions options) {
        String driver = String.valueOf(options.getValue(ConnectionFactoryOptions.DRIVER));
        if ("pool".equals(driver)) {
            // r2dbc:pool:postgresql://…: the pooled driver is in the protocol.
            String protocol = String.valueOf(options.getValue(ConnectionFactoryOptions.PROTOCOL));
            return protocol.split(":", 2)[0];
        }
        return driver;
    }

    // The URL's query options, in order, as given.
    private static Map<String, String> extraOptions(String r2dbcUrl) {
        Map<String, String> extra = new LinkedHashMap<>();
        int q = r2dbcUrl.indexOf('?');
        if (q < 0) {
            return extra;
        }
        for (String pair : r2dbcUrl.substring(q + 1).split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                extra.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        return extra;
    }
}
