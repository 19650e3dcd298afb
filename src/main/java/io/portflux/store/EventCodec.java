package io.portflux.store;

import io.portflux.scan.ScanRequest;
import io.portflux.scan.event.EventData;
import io.portflux.scan.event.ScanEvent;
import io.portflux.target.ResolvedTarget;
import java.util.List;
import java.util.Map;
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
        return new ScanEvent(id, json.readValue(data, kind));
    }

    ScanRequest request(String data) {
        return json.readValue(data, ScanRequest.class);
    }

    List<ResolvedTarget> targets(String data) {
        return data == null ? List.of() : json.readValue(data, TARGETS);
    }
}
