package io.portflux.web.scans;

import io.portflux.scan.ScanProperties;
import io.portflux.scan.ScanRequest;
import io.portflux.web.access.ClientIdentity;
import io.portflux.web.stream.ShutdownSignal;
import io.portflux.web.stream.StreamResponses;
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

    /** A scan that lives as long as its request: only the client, the quota or a shutdown stop it. */
    private record StreamedScan(String id) implements ScanLauncher.Launching {
        @Override
        public Mono<String> stopSignal() {
            return Mono.never();
        }
    }

    private final ScanLauncher launcher;
    private final ScanProperties properties;
    private final ShutdownSignal shutdown;

    public ScanStreamController(ScanLauncher launcher, ScanProperties properties, ShutdownSignal shutdown) {
        this.launcher = launcher;
        this.properties = properties;
        this.shutdown = shutdown;
    }

    @GetMapping(path = "/api/scan", produces = {MediaType.TEXT_EVENT_STREAM_VALUE, MediaType.APPLICATION_NDJSON_VALUE})
    public Mono<ResponseEntity<Flux<?>>> scan(
            ScanRequest request, @RequestHeader(name = "Accept", required = false) List<MediaType> accept,
            ServerWebExchange exchange) {
        return Mono.defer(() -> {
            // A misspelt parameter is refused before anything is reserved, not silently left at its default.
            var query = exchange.getRequest().getQueryParams();
            ScanParameters.requireKnown(query.keySet(), ScanParameters.NAMES, query.toSingleValueMap());
            return launcher.launch(request, ClientIdentity.of(exchange), "stream", null,
                            plan -> new StreamedScan(UUID.randomUUID().toString()))
                    .map(launched -> StreamResponses.of(shutdown.track(launched.events()), accept,
                            properties.heartbeatInterval(), Schedulers.parallel()));
        });
    }
}
