package io.portflux.store;

import io.portflux.scan.ScanRequest;
import io.portflux.scan.event.EventData;
import io.portflux.scan.event.ScanEvent;
import io.portflux.target.ResolvedTarget;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * EventCodec turns event payloads, requests and target lists into the JSON text stored in the database,
 * and back; the JSON is the same as the payload's SSE {@code data:}.
 */
final class EventCodec {

    private static final Map<String, Class<? extends EventData>> KINDS = Map.of(
            "started", EventData.Started.class,
            "port", EventData.Port.class,
            "service", EventData.Service.class,
            "progress", EventData.Progress.class,
            "done", EventData.Done.class,
            "shard", EventData.Shard.class);
    private static final TypeReference<List<ResolvedTarget>> TARGETS = new TypeReference<>() {};

    // The few distinct strings of port events (states, reasons, service names, the scanned addresses) are kept
    // once: JSON decoding gives every event its own copies, about 250 bytes of strings per port event, and 50
    // watchers replaying a full-range scan from the store held 184,000 decoded events at once, 62 MB, which ran
    // a 90 MiB heap out of memory. The cap keeps a scan of many addresses from growing it without end.
    private static final int CANONICAL_MAX = 4096;
    private final Map<String, String> canonical = new ConcurrentHashMap<>();

    private final JsonMapper json;

    EventCodec(JsonMapper json) {
        this.json = json;
    }

    String write(Object value) {
        return json.writeValueAsString(value);
    }

    ScanEvent event(long id, String name, String data) {
        Class<? extends EventData> kind = KINDS.get(name);
        if (kind == null) {
            throw new IllegalStateException("unknown stored event name: " + name);
        }
        EventData decoded = json.readValue(data, kind);
        return new ScanEvent(id, decoded instanceof EventData.Port p ? canonical(p) : decoded);
    }

    private EventData.Port canonical(EventData.Port p) {
        return new EventData.Port(canonical(p.host()), canonical(p.ip()), p.port(), canonical(p.state()),
                canonical(p.reason()), canonical(p.service()), p.rttMs());
    }

    private @Nullable String canonical(@Nullable String value) {
        if (value == null) {
            return null;
        }
        String kept = canonical.get(value);
        if (kept != null) {
            return kept;
        }
        if (canonical.size() >= CANONICAL_MAX) {
            return value;
        }
        kept = canonical.putIfAbsent(value, value);
        return kept == null ? value : kept;
    }

    ScanRequest request(String data) {
        return json.readValue(data, ScanRequest.class);
    }

    List<ResolvedTarget> targets(String data) {
        return data == null ? List.of() : json.readValue(data, TARGETS);
    }
}
