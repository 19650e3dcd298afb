package io.portflux.web.schedules;

import io.portflux.schedule.ScheduleNotFoundException;
import io.portflux.schedule.ScheduleProperties;
import io.portflux.schedule.Schedules;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * ScheduleStream follows one schedule from the store, so that it sees the runs of every replica: it looks at the
 * schedule and its newest runs at once, whenever this replica starts or ends one of its runs, and every poll
 * interval otherwise, and sends what changed since the last look: {@code schedule} when its next run, skipped
 * count or current run moved, and {@code run} for each run that started or ended. It ends when the schedule is
 * deleted.
 */
@Component
public class ScheduleStream {

    private static final int RUNS = 20;

    private final Schedules schedules;
    private final ScheduleProperties properties;

    public ScheduleStream(Schedules schedules, ScheduleProperties properties) {
        this.schedules = schedules;
        this.properties = properties;
    }

    public Flux<ServerSentEvent<Object>> events(String id) {
        return Flux.defer(() -> {
            AtomicLong ids = new AtomicLong();
            AtomicReference<Object> lastSchedule = new AtomicReference<>();
            Map<Object, Object> lastRuns = new HashMap<>();
            Flux<Object> looks = Flux.<Object>merge(Flux.just(0L), schedules.changed().filter(id::equals),
                            Flux.interval(properties.pollInterval(), properties.pollInterval()))
                    .onBackpressureLatest();
            return looks.concatMap(look -> schedules.find(id)
                            .zipWith(schedules.runs(id, RUNS).collectList())
                            .flatMapMany(found -> {
                                List<ServerSentEvent<Object>> out = new ArrayList<>();
                                Map<String, Object> view = ScheduleViews.schedule(found.getT1(), List.of());
                                Map<String, Object> head = new LinkedHashMap<>();
                                for (String key : List.of("id", "name", "enabled", "nextRun", "runningScan", "skippedTicks",
                                        "owner")) {
                                    head.put(key, view.get(key));
                                }
                                if (!Objects.equals(lastSchedule.getAndSet(head), head)) {
                                    out.add(event(ids, "schedule", head));
                                }
                                // Oldest first, so that a watcher sees them in the order they ran.
                                for (int i = found.getT2().size() - 1; i >= 0; i--) {
                                    Map<String, Object> run = ScheduleViews.run(found.getT2().get(i));
                                    if (!Objects.equals(lastRuns.put(run.get("tick"), run), run)) {
                                        out.add(event(ids, "run", run));
                                    }
                                }
                                return Flux.fromIterable(out);
                            }), 1)
                    .onErrorResume(ScheduleNotFoundException.class, gone -> Mono.empty());
        });
    }

    private static ServerSentEvent<Object> event(AtomicLong ids, String name, Object data) {
        return ServerSentEvent.<Object>builder(data).id(Long.toString(ids.incrementAndGet())).event(name).build();
    }
}
