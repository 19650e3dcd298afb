package io.portflux.web.scans;

import io.portflux.scan.ScanProperties;
import io.portflux.scan.ScanRequest;
import io.portflux.web.access.ApiTokens;
import io.portflux.web.access.ClientIdentity;
import io.portflux.web.access.StreamTickets;
import io.portflux.web.stream.ShutdownSignal;
import io.portflux.web.stream.StreamResponses;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.CacheControl;
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
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * ScanResourceController serves background scans: start, list, snapshot, watch and cancel
 * ({@code /api/scans}).
 */
@RestController
public class ScanResourceController {

    /** Query parameters of the events stream: a resume point and, with authentication on, a ticket. */
    private static final List<String> EVENTS_PARAMETERS = List.of("lastEventId", "ticket");
    private static final List<String> LIST_PARAMETERS = List.of("status", "target", "since", "until", "page", "size",
            "ticket");

    private final ScanRegistry registry;
    private final ScanProperties properties;
    private final ShutdownSignal shutdown;
    private final ApiTokens tokens;
    private final StreamTickets tickets;

    public ScanResourceController(ScanRegistry registry, ScanProperties properties, ShutdownSignal shutdown,
            ApiTokens tokens, StreamTickets tickets) {
        this.registry = registry;
        this.properties = properties;
        this.shutdown = shutdown;
        this.tokens = tokens;
        this.tickets = tickets;
    }

    @PostMapping(path = "/api/scans", consumes = MediaType.APPLICATION_JSON_VALUE)
    public Mono<ResponseEntity<Map<String, Object>>> start(@RequestBody(required = false) Map<String, Object> json,
            ServerWebExchange exchange) {
        // Read as a map, not bound to ScanRequest, so that an unknown key or a value of the wrong
        // type is a 400 naming it rather than silently dropped or coerced.
        ScanRequest given = ScanParameters.fromJson(json == null ? Map.of() : json);
        return registry.start(given, ClientIdentity.of(exchange)).map(scan -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("id", scan.id());
            body.put("status", scan.status().wireName());
            Map<String, String> links = new LinkedHashMap<>(ScanSnapshot.links(scan.id()));
            if (tokens.required()) {
                // EventSource cannot send the token, so the answer carries a ticket for this scan's events.
                StreamTickets.Ticket ticket = tickets.issue(scan.id());
                body.put("ticket", ticket.value());
                body.put("ticketExpiresAt", ticket.expiresAt());
                links.put("events", eventsWithTicket(scan.id(), ticket));
            }
            body.put("links", links);
            return ResponseEntity.status(HttpStatus.ACCEPTED).location(URI.create("/api/scans/" + scan.id())).body(body);
        });
    }

    /**
     * A fresh stream ticket for scan {@code id}, for a page whose ticket expired before it had to
     * reconnect; the caller has shown its bearer token to get here.
     */
    @PostMapping(path = "/api/scans/{id}/tickets", produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<ResponseEntity<Map<String, Object>>> ticket(@PathVariable String id) {
        return registry.snapshot(id).map(scan -> {
            StreamTickets.Ticket ticket = tickets.issue(scan.id());
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("ticket", ticket.value());
            body.put("expiresAt", ticket.expiresAt());
            body.put("events", eventsWithTicket(scan.id(), ticket));
            return ResponseEntity.status(HttpStatus.CREATED).cacheControl(CacheControl.noStore()).body(body);
        });
    }

    private static String eventsWithTicket(String id, StreamTickets.Ticket ticket) {
        return ScanSnapshot.links(id).get("events") + "?ticket=" + URLEncoder.encode(ticket.value(), StandardCharsets.UTF_8);
    }

    /**
     * A page of scans, newest first: {@code status} (a status's wire name), {@code target} (text in the
     * scan's {@code targets}), {@code since} and {@code until} (ISO-8601 instants, on the creation time),
     * {@code page} (from 0) and {@code size}.
     */
    @GetMapping(path = "/api/scans", produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<List<ScanSnapshot>> list(
            @RequestParam(name = "status", required = false) String status,
            @RequestParam(name = "target", required = false) String target,
            @RequestParam(name = "since", required = false) String since,
            @RequestParam(name = "until", required = false) String until,
            @RequestParam(name = "page", required = false) String page,
            @RequestParam(name = "size", required = false) String size,
            ServerWebExchange exchange) {
        var query = exchange.getRequest().getQueryParams();
        return Mono.fromCallable(() -> {
                    ScanParameters.requireKnown(query.keySet(), LIST_PARAMETERS, query.toSingleValueMap());
                    return ScanQueries.parse(status, target, since, until, page, size);
                })
                .flatMap(registry::list);
    }

    @GetMapping(path = "/api/scans/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<ScanSnapshot> get(@PathVariable String id) {
        return registry.snapshot(id);
    }

    @DeleteMapping(path = "/api/scans/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<ScanSnapshot> cancel(@PathVariable String id) {
        return registry.cancel(id);
    }

    @GetMapping(path = "/api/scans/{id}/events",
            produces = {MediaType.TEXT_EVENT_STREAM_VALUE, MediaType.APPLICATION_NDJSON_VALUE})
    public Mono<ResponseEntity<Flux<?>>> events(
            @PathVariable String id,
            @RequestHeader(name = "Last-Event-ID", required = false) String lastEventHeader,
            @RequestParam(name = "lastEventId", required = false) String lastEventParam,
            @RequestHeader(name = "Accept", required = false) List<MediaType> accept,
            ServerWebExchange exchange) {
        var query = exchange.getRequest().getQueryParams();
        return Mono.fromCallable(() -> {
                    ScanParameters.requireKnown(query.keySet(), EVENTS_PARAMETERS, query.toSingleValueMap());
                    return lastEventId(lastEventHeader != null ? lastEventHeader : lastEventParam,
                            lastEventHeader != null ? "Last-Event-ID" : "lastEventId");
                })
                .flatMap(after -> registry.events(id, after))
                .map(events -> StreamResponses.of(shutdown.track(events), accept, properties.heartbeatInterval(),
                        Schedulers.parallel()));
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
            throw new io.portflux.input.InvalidInputException(field, value, "must be a non-negative event id");
        }
    }
}
