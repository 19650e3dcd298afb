package io.portflux.web;

import io.portflux.config.ScanProperties;
import io.portflux.scan.ScanRequest;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * ScanResourceController serves background scans: start, list, snapshot, watch and cancel
 * ({@code /api/scans}).
 */
@RestController
public class ScanResourceController {

    private final ScanRegistry registry;
    private final ScanProperties properties;
    private final ShutdownSignal shutdown;

    public ScanResourceController(ScanRegistry registry, ScanProperties properties, ShutdownSignal shutdown) {
        this.registry = registry;
        this.properties = properties;
        this.shutdown = shutdown;
    }

    @PostMapping(path = "/api/scans", consumes = MediaType.APPLICATION_JSON_VALUE)
    public Mono<ResponseEntity<Map<String, Object>>> start(@RequestBody(required = false) ScanRequest request) {
        ScanRequest given = request == null ? new ScanRequest(null, null, null, null, null, null, null, null, null) : request;
        return registry.start(given).map(scan -> ResponseEntity.status(HttpStatus.ACCEPTED)
                .location(URI.create("/api/scans/" + scan.id()))
                .body(Map.<String, Object>of("id", scan.id(), "status", scan.status(),
                        "links", ScanSnapshot.links(scan.id()))));
    }

    @GetMapping(path = "/api/scans", produces = MediaType.APPLICATION_JSON_VALUE)
    public List<ScanSnapshot> list() {
        return registry.list().stream().map(BackgroundScan::snapshot).toList();
    }

    @GetMapping(path = "/api/scans/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
    public ScanSnapshot get(@PathVariable String id) {
        return registry.get(id).snapshot();
    }

    @DeleteMapping(path = "/api/scans/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
    public ScanSnapshot cancel(@PathVariable String id) {
        return registry.cancel(id).snapshot();
    }

    @GetMapping(path = "/api/scans/{id}/events",
            produces = {MediaType.TEXT_EVENT_STREAM_VALUE, MediaType.APPLICATION_NDJSON_VALUE})
    public ResponseEntity<Flux<?>> events(
            @PathVariable String id,
            @RequestHeader(name = "Last-Event-ID", required = false) String lastEventHeader,
            @RequestParam(name = "lastEventId", required = false) String lastEventParam,
            @RequestHeader(name = "Accept", required = false) List<MediaType> accept) {
        BackgroundScan scan = registry.get(id);
        long after = lastEventId(lastEventHeader != null ? lastEventHeader : lastEventParam,
                lastEventHeader != null ? "Last-Event-ID" : "lastEventId");
        return StreamResponses.of(shutdown.track(scan.journal().follow(after)), accept,
                properties.heartbeatInterval(), Schedulers.parallel());
    }

    private static long lastEventId(String value, String field) {
        if (value == null || value.isBlank()) {
            return 0;
        }
        try {
            long id = Long.parseLong(value.trim());
            if (id < 0) {
                throw new NumberFormatException();
            }
            return id;
        } catch (NumberFormatException e) {
            throw new io.portflux.scan.InvalidInputException(field, value, "must be a non-negative event id");
        }
    }
}
