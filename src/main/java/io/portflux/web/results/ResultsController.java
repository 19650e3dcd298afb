package io.portflux.web.results;

import io.portflux.input.InvalidInputException;
import io.portflux.results.ExportFormat;
import io.portflux.results.ScanDiff;
import io.portflux.results.ScanExport;
import io.portflux.results.ScanScope;
import io.portflux.scan.ScanStatus;
import io.portflux.web.scans.ScanNotFoundException;
import io.portflux.web.scans.ScanParameters;
import io.portflux.web.scans.ScanRegistry;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * ResultsController exports a finished scan's results ({@code GET /api/scans/{id}/results}) in the format named
 * by {@code format} or, without it, by the {@code Accept} header; the body streams out as the store is read. It
 * also compares a finished scan with a base scan ({@code GET /api/scans/{id}/diff}).
 */
@RestController
public class ResultsController {

    private static final List<String> RESULTS_PARAMETERS = List.of("format", "ticket");
    private static final List<String> DIFF_PARAMETERS = List.of("base", "format");
    private static final String PREVIOUS = "previous";
    /** Chunks of text joined into one write: fewer, larger buffers for the server to send. */
    private static final int CHUNKS_PER_WRITE = 256;

    private final ScanExport export;
    private final ScanDiff diff;
    private final ScanRegistry registry;

    public ResultsController(ScanExport export, ScanDiff diff, ScanRegistry registry) {
        this.export = export;
        this.diff = diff;
        this.registry = registry;
    }

    @GetMapping(path = "/api/scans/{id}/results")
    public Mono<ResponseEntity<Flux<DataBuffer>>> results(@PathVariable String id,
            @RequestParam(name = "format", required = false) String format, ServerWebExchange exchange) {
        var query = exchange.getRequest().getQueryParams();
        return Mono.fromCallable(() -> {
                    ScanParameters.requireKnown(query.keySet(), RESULTS_PARAMETERS, query.toSingleValueMap());
                    return format != null ? ExportFormat.named(format)
                            : negotiate(exchange.getRequest().getHeaders().getFirst(HttpHeaders.ACCEPT));
                })
                .flatMap(chosen -> finished(id, "export it").map(scope -> respond(scope, chosen,
                        exchange.getResponse().bufferFactory())));
    }

    /**
     * What changed in scan {@code id} since scan {@code base} (an id, or {@code previous}: the latest earlier
     * completed scan with the same targets and ports): JSON, or ndiff-style text with {@code format=text} or
     * {@code Accept: text/plain}.
     */
    @GetMapping(path = "/api/scans/{id}/diff")
    public Mono<ResponseEntity<Flux<DataBuffer>>> diff(@PathVariable String id,
            @RequestParam(name = "base", required = false) String base,
            @RequestParam(name = "format", required = false) String format, ServerWebExchange exchange) {
        var query = exchange.getRequest().getQueryParams();
        return Mono.fromCallable(() -> {
                    ScanParameters.requireKnown(query.keySet(), DIFF_PARAMETERS, query.toSingleValueMap());
                    if (base == null || base.isBlank()) {
                        throw new InvalidInputException("base", base, "required: the id of the scan to compare with, or '"
                                + PREVIOUS + "'");
                    }
                    if (base.strip().equals(id)) {
                        throw new InvalidInputException("base", base, "is this scan itself: compare it with another one");
                    }
                    return diffFormat(format, exchange.getRequest().getHeaders().getFirst(HttpHeaders.ACCEPT));
                })
                .flatMap(text -> finished(id, "compare it").flatMap(scan -> baseOf(scan, base.strip())
                        .map(baseScope -> {
                            Flux<String> body = text ? diff.text(baseScope, scan) : diff.json(baseScope, scan);
                            return ResponseEntity.ok()
                                    .contentType(new MediaType(text ? MediaType.TEXT_PLAIN : MediaType.APPLICATION_JSON,
                                            StandardCharsets.UTF_8))
                                    .body(encode(body, exchange.getResponse().bufferFactory()));
                        })));
    }

    // Whether the diff is asked for as text: format=text|json, else Accept: text/plain over application/json.
    private static boolean diffFormat(String format, String accept) {
        if (format != null) {
            return switch (format.strip()) {
                case "text" -> true;
                case "json" -> false;
                default -> throw new InvalidInputException("format", format, "not a diff format: use json or text");
            };
        }
        return accept != null && negotiate(accept) == ExportFormat.GREPABLE;
    }

    private Mono<ScanScope> baseOf(ScanScope scan, String base) {
        if (base.equals(PREVIOUS)) {
            return diff.previous(scan).map(ScanScope::of).switchIfEmpty(Mono.error(() -> new InvalidInputException("base",
                    base, "no earlier completed scan has the same targets and ports as scan '" + scan.scan().id() + "'")));
        }
        return export.scope(base)
                .switchIfEmpty(Mono.error(() -> new InvalidInputException("base", base,
                        "no scan with this id (unknown, or deleted after its retention time)")))
                .flatMap(scope -> scope.scan().status() == ScanStatus.RUNNING
                        ? Mono.error(new ScanRunningException(base, "compare with it")) : Mono.just(scope));
    }

    /**
     * The scan with {@code id} once it has finished and all of it is stored (a scan that finished here a moment
     * ago may still have its last batch on its way to the store); 404 when there is none, 409 while it runs.
     */
    Mono<ScanScope> finished(String id, String what) {
        return registry.snapshot(id)
                .flatMap(snapshot -> "running".equals(snapshot.status()) ? Mono.error(new ScanRunningException(id, what))
                        : registry.storedFully(id).then(export.scope(id)))
                .switchIfEmpty(Mono.error(() -> new ScanNotFoundException(id)))
                .flatMap(scope -> scope.scan().status() == ScanStatus.RUNNING
                        ? Mono.error(new ScanRunningException(id, what)) : Mono.just(scope));
    }

    private ResponseEntity<Flux<DataBuffer>> respond(ScanScope scope, ExportFormat format, DataBufferFactory buffers) {
        Flux<DataBuffer> body = encode(export.export(scope, format), buffers);
        return ResponseEntity.ok()
                .contentType(new MediaType(MediaType.parseMediaType(format.mediaType()), StandardCharsets.UTF_8))
                .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment()
                        .filename("portflux-" + scope.scan().id() + "." + format.extension()).build().toString())
                .body(body);
    }

    private static Flux<DataBuffer> encode(Flux<String> text, DataBufferFactory buffers) {
        return text.buffer(CHUNKS_PER_WRITE)
                .map(chunks -> buffers.wrap(String.join("", chunks).getBytes(StandardCharsets.UTF_8)));
    }

    /** The format the {@code Accept} header prefers; JSON when it is absent or takes anything. */
    static ExportFormat negotiate(String accept) {
        if (accept == null || accept.isBlank()) {
            return ExportFormat.JSON;
        }
        List<MediaType> types;
        try {
            types = MediaType.parseMediaTypes(accept);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(HttpHeaders.ACCEPT, accept, "not a list of media types");
        }
        types = new java.util.ArrayList<>(types);
        // Stable: of equal quality, the header's order stands.
        types.sort(java.util.Comparator.comparingDouble(MediaType::getQualityValue).reversed());
        for (MediaType type : types) {
            if (type.getQualityValue() == 0) {
                continue;
            }
            if (type.isWildcardType()) {
                return ExportFormat.JSON;
            }
            Optional<ExportFormat> format = type.isWildcardSubtype()
                    ? Arrays.stream(ExportFormat.values()).filter(f -> f.mediaType().startsWith(type.getType() + "/")).findFirst()
                    : ExportFormat.ofMediaType(type.getType(), type.getSubtype());
            if (format.isPresent()) {
                return format.get();
            }
        }
        throw new NotAcceptableException(accept, Arrays.stream(ExportFormat.values()).map(ExportFormat::mediaType)
                .collect(Collectors.joining(", ")));
    }
}
