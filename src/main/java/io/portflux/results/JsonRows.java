package io.portflux.results;

import io.portflux.store.PortResult;
import io.portflux.store.StoredScan;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

/**
 * JsonRows writes the JSON and NDJSON exports with Jackson: a port as an object with the CSV's columns, and the
 * scan as an object; members whose value is absent are left out.
 */
final class JsonRows {

    private final JsonMapper json;

    JsonRows(JsonMapper json) {
        this.json = json;
    }

    /** One port of scan {@code scanId}, as a JSON object. */
    String port(String scanId, String timestamp, PortResult r) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("scanId", scanId);
        row.put("timestamp", timestamp);
        put(row, "host", r.host());
        row.put("ip", r.ip());
        row.put("port", r.port());
        row.put("protocol", "tcp");
        row.put("state", r.state());
        row.put("reason", r.reason());
        put(row, "service", r.service());
        put(row, "product", r.product());
        put(row, "version", r.version());
        put(row, "method", r.method());
        put(row, "rttMs", r.rttMs());
        return json.writeValueAsString(row);
    }

    /** The scan's record: id, status, request, targets, times and counters. */
    String scan(StoredScan scan) {
        return json.writeValueAsString(scanMap(scan));
    }

    /** The scan's record as a map, for a larger object. */
    static Map<String, Object> scanMap(StoredScan scan) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", scan.id());
        out.put("status", scan.status().wireName());
        out.put("request", scan.request());
        out.put("targets", scan.targets());
        out.put("startedAt", scan.createdAt().toString());
        put(out, "finishedAt", scan.finishedAt() == null ? null : scan.finishedAt().toString());
        out.put("total", scan.total());
        out.put("scanned", scan.scanned());
        out.put("open", scan.open());
        out.put("closed", scan.closed());
        out.put("filtered", scan.filtered());
        out.put("errors", scan.errors());
        put(out, "elapsedMs", scan.elapsedMs());
        put(out, "message", scan.message());
        return out;
    }

    String write(Object value) {
        return json.writeValueAsString(value);
    }

    private static void put(Map<String, Object> map, String key, @Nullable Object value) {
        if (value != null) {
            map.put(key, value);
        }
    }
}
