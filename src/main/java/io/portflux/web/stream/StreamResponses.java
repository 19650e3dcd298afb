package io.portflux.web.stream;

import io.portflux.scan.event.ScanEvent;
import java.time.Duration;
import java.util.List;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.ServerSentEvent;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;

/** StreamResponses wraps a scan's events in an SSE or NDJSON response, as the client asked. */
public final class StreamResponses {

    private StreamResponses() {}

    public static ResponseEntity<Flux<?>> of(Flux<ScanEvent> events, List<MediaType> accept, Duration heartbeat, Scheduler scheduler) {
        ResponseEntity.BodyBuilder ok = ResponseEntity.ok()
                .cacheControl(CacheControl.noStore())
                // ingress-nginx and other proxies buffer responses unless told not to.
                .header("X-Accel-Buffering", "no");
        if (wantsNdjson(accept)) {
            return ok.contentType(MediaType.APPLICATION_NDJSON).body(events.map(EventFraming::line));
        }
        return ok.contentType(MediaType.TEXT_EVENT_STREAM)
                .body(EventFraming.sseWithHeartbeats(events, heartbeat, scheduler));
    }

    /**
     * An SSE response of {@code events} that are not a scan's (a schedule's runs, say), with the same heartbeats
     * on an idle stream as a scan's events get.
     */
    public static ResponseEntity<Flux<?>> sse(Flux<ServerSentEvent<Object>> events, Duration heartbeat, Scheduler scheduler) {
        return ResponseEntity.ok()
                .cacheControl(CacheControl.noStore())
                .header("X-Accel-Buffering", "no")
                .contentType(MediaType.TEXT_EVENT_STREAM)
                .body(Heartbeats.whenIdle(events, heartbeat,
                        () -> ServerSentEvent.<Object>builder().comment(EventFraming.HEARTBEAT).build(), scheduler));
    }

    /** NDJSON only when the client prefers it to SSE; SSE is the default, also for {@code *}{@code /*}. */
    static boolean wantsNdjson(List<MediaType> accept) {
        if (accept == null || accept.isEmpty()) {
            return false;
        }
        // The first of the two stream types that the client names wins; wildcards mean SSE.
        for (MediaType type : accept) {
            if (type.equalsTypeAndSubtype(MediaType.APPLICATION_NDJSON)) {
                return true;
            }
            if (type.equalsTypeAndSubtype(MediaType.TEXT_EVENT_STREAM)) {
                return false;
            }
        }
        return false;
    }
}
