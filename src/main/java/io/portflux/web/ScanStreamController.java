package io.portflux.web;

import io.portflux.config.ScanProperties;
import io.portflux.scan.ScanEvent;
import io.portflux.scan.ScanPlanner;
import io.portflux.scan.ScanRequest;
import io.portflux.scan.Scanner;
import java.util.List;
import java.util.UUID;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * ScanStreamController runs a scan for one request and streams its events ({@code GET /api/scan}).
 *
 * <p>The scan lives as long as the request: when the client goes away the Flux is cancelled, and
 * with it every probe in flight.
 */
@RestController
public class ScanStreamController {

    private final ScanPlanner planner;
    private final Scanner scanner;
    private final ScanProperties properties;
    private final ShutdownSignal shutdown;
    private final ClientQuotas quotas;
    private final ScanAudit audit;

    public ScanStreamController(ScanPlanner planner, Scanner scanner, ScanProperties properties, ShutdownSignal shutdown,
            ClientQuotas quotas, ScanAudit audit) {
        this.planner = planner;
        this.scanner = scanner;
        this.properties = properties;
        this.shutdown = shutdown;
        this.quotas = quotas;
        this.audit = audit;
    }

    @GetMapping(path = "/api/scan", produces = {MediaType.TEXT_EVENT_STREAM_VALUE, MediaType.APPLICATION_NDJSON_VALUE})
    public Mono<ResponseEntity<Flux<?>>> scan(
            ScanRequest request, @RequestHeader(name = "Accept", required = false) List<MediaType> accept,
            ServerWebExchange exchange) {
        String client = ClientIdentity.of(exchange);
        return Mono.defer(() -> {
            var query = exchange.getRequest().getQueryParams();
            ScanParameters.requireKnown(query.keySet(), ScanParameters.NAMES, query.toSingleValueMap());
            Reservation lease = quotas.admit(client);
            return planner.plan(request).map(plan -> {
                quotas.checkProbes(plan);
                lease.markUsed();
                Flux<ScanEvent> scan = scanner.scan(UUID.randomUUID().toString(), plan,
                        quotas.withDurationLimit(shutdown.stopped()));
                Flux<ScanEvent> events = shutdown.track(audit.record(scan, "stream", client, request)
                        .doFinally(signal -> lease.release()));
                return StreamResponses.of(events, accept, properties.heartbeatInterval(), Schedulers.parallel());
            })
            .doOnError(error -> lease.release())
            .doOnCancel(lease::releaseIfUnused);
        });
    }
}
