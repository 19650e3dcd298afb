package io.portflux.web.schedules;

import io.portflux.scan.ScanProperties;
import io.portflux.schedule.Schedules;
import io.portflux.web.stream.ShutdownSignal;
import io.portflux.web.stream.StreamResponses;
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
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * ScheduleController serves schedules ({@code /api/schedules}): create, list, read with the last runs, replace,
 * delete, the webhook deliveries, and a live stream of runs and changes.
 */
@RestController
public class ScheduleController {

    /** Runs listed per schedule in the list, and on a schedule's own page. */
    private static final int LIST_RUNS = 5;
    private static final int SCHEDULE_RUNS = 20;
    private static final int DELIVERIES = 50;

    private final Schedules schedules;
    private final ScheduleStream stream;
    private final ScanProperties scanProperties;
    private final ShutdownSignal shutdown;

    public ScheduleController(Schedules schedules, ScheduleStream stream, ScanProperties scanProperties,
            ShutdownSignal shutdown) {
        this.schedules = schedules;
        this.stream = stream;
        this.scanProperties = scanProperties;
        this.shutdown = shutdown;
    }

    @PostMapping(path = "/api/schedules", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<ResponseEntity<Map<String, Object>>> create(@RequestBody(required = false) Map<String, Object> body) {
        return schedules.create(body)
                .flatMap(schedule -> schedules.runs(schedule.id(), SCHEDULE_RUNS).collectList()
                        .map(runs -> ScheduleViews.schedule(schedule, runs)))
                .map(view -> ResponseEntity.status(HttpStatus.CREATED)
                        .location(URI.create("/api/schedules/" + view.get("id"))).body(view));
    }

    @GetMapping(path = "/api/schedules", produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<List<Map<String, Object>>> list() {
        return schedules.list()
                .concatMap(schedule -> schedules.runs(schedule.id(), LIST_RUNS).collectList()
                        .map(runs -> ScheduleViews.schedule(schedule, runs)))
                .collectList();
    }

    @GetMapping(path = "/api/schedules/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<Map<String, Object>> get(@PathVariable String id) {
        return schedules.find(id).flatMap(schedule -> schedules.runs(id, SCHEDULE_RUNS).collectList()
                .map(runs -> ScheduleViews.schedule(schedule, runs)));
    }

    @PutMapping(path = "/api/schedules/{id}", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<Map<String, Object>> replace(@PathVariable String id,
            @RequestBody(required = false) Map<String, Object> body) {
        return schedules.replace(id, body).flatMap(schedule -> schedules.runs(id, SCHEDULE_RUNS).collectList()
                .map(runs -> ScheduleViews.schedule(schedule, runs)));
    }

    @DeleteMapping(path = "/api/schedules/{id}")
    public Mono<ResponseEntity<Void>> delete(@PathVariable String id) {
        return schedules.delete(id).thenReturn(ResponseEntity.noContent().<Void>build());
    }

    /** The schedule's webhook deliveries, newest first: status, attempts, last error. */
    @GetMapping(path = "/api/schedules/{id}/deliveries", produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<List<Map<String, Object>>> deliveries(@PathVariable String id) {
        return schedules.find(id).thenMany(Flux.defer(() -> schedules.deliveries(id, DELIVERIES)))
                .map(ScheduleViews::delivery).collectList();
    }

    /**
     * The schedule's runs as they start and end, and its skipped ticks, from any replica: the newest runs first,
     * then each change as it is stored. Events: {@code schedule} (next run, skipped count), {@code run} (one run,
     * with its change count and changes once it has ended).
     */
    @GetMapping(path = "/api/schedules/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    public Mono<ResponseEntity<Flux<?>>> events(@PathVariable String id) {
        return schedules.find(id).map(found -> StreamResponses.sse(
                shutdown.track(stream.events(id).takeUntilOther(shutdown.stopped())),
                scanProperties.heartbeatInterval(), Schedulers.parallel()));
    }
}
