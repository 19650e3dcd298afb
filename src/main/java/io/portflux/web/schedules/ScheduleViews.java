package io.portflux.web.schedules;

import io.portflux.scan.ScanRequest;
import io.portflux.schedule.Delivery;
import io.portflux.schedule.Schedule;
import io.portflux.schedule.ScheduleRun;
import java.lang.reflect.RecordComponent;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/** ScheduleViews are the JSON shapes of schedules, their runs and their deliveries in the API. */
final class ScheduleViews {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ScheduleViews() {}

    static Map<String, Object> schedule(Schedule schedule, List<ScheduleRun> runs) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", schedule.id());
        out.put("name", schedule.name());
        out.put("cron", schedule.spec().cron());
        out.put("zone", schedule.spec().zone().getId());
        out.put("enabled", schedule.spec().enabled());
        out.put("scan", scan(schedule.spec().scan()));
        Map<String, Object> alerts = new LinkedHashMap<>();
        if (schedule.spec().webhook() != null) {
            alerts.put("webhook", schedule.spec().webhook());
        }
        out.put("alerts", alerts);
        out.put("nextRun", schedule.nextRun() == null ? null : schedule.nextRun().toString());
        out.put("owner", schedule.owner());
        out.put("runningScan", schedule.runningScan());
        out.put("skippedTicks", schedule.skipped());
        out.put("createdAt", schedule.createdAt().toString());
        out.put("updatedAt", schedule.updatedAt().toString());
        out.put("runs", runs.stream().map(ScheduleViews::run).toList());
        out.put("links", Map.of("self", "/api/schedules/" + schedule.id(),
                "events", "/api/schedules/" + schedule.id() + "/events",
                "deliveries", "/api/schedules/" + schedule.id() + "/deliveries"));
        return out;
    }

    /** The scan parameters that are set, by name. */
    static Map<String, Object> scan(ScanRequest request) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (RecordComponent component : ScanRequest.class.getRecordComponents()) {
            try {
                Object value = component.getAccessor().invoke(request);
                if (value != null) {
                    out.put(component.getName(), value);
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        return out;
    }

    static Map<String, Object> run(ScheduleRun run) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("tick", run.tick().toString());
        out.put("scanId", run.scanId());
        out.put("replica", run.replica());
        out.put("status", run.status());
        out.put("startedAt", run.startedAt().toString());
        out.put("finishedAt", run.finishedAt() == null ? null : run.finishedAt().toString());
        out.put("baseScanId", run.baseScanId());
        out.put("changeCount", run.changeCount());
        out.put("changes", run.changes() == null ? null : JSON.readValue(run.changes(), Map.class));
        if (run.message() != null) {
            out.put("message", run.message());
        }
        Map<String, String> links = new LinkedHashMap<>();
        if (run.scanId() != null) {
            links.put("scan", "/api/scans/" + run.scanId());
            if (run.baseScanId() != null) {
                links.put("diff", "/api/scans/" + run.scanId() + "/diff?base=" + run.baseScanId());
            }
        }
        out.put("links", links);
        return out;
    }

    static Map<String, Object> delivery(Delivery delivery) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", delivery.id());
        out.put("scanId", delivery.scanId());
        out.put("url", delivery.url());
        out.put("status", delivery.status());
        out.put("attempts", delivery.attempts());
        out.put("nextAttempt", Delivery.PENDING.equals(delivery.status()) ? delivery.nextAttempt().toString() : null);
        out.put("lastError", delivery.lastError());
        out.put("createdAt", delivery.createdAt().toString());
        out.put("deliveredAt", delivery.deliveredAt() == null ? null : delivery.deliveredAt().toString());
        return out;
    }
}
