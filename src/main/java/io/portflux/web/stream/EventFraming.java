package io.portflux.web.stream;

import io.portflux.scan.event.EventData;
import io.portflux.scan.event.ScanEvent;
import java.time.Duration;
import org.springframework.http.codec.ServerSentEvent;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;

/** EventFraming turns scan events into SSE frames or NDJSON lines, with idle heartbeats for SSE. */
final class EventFraming {

    /** The comment text of a heartbeat; a leading space makes the wire form {@code : keep-alive}. */
    static final String HEARTBEAT = " keep-alive";

    private EventFraming() {}

    /** One NDJSON line: the same id, event name and data as the SSE frame. */
    record EventLine(long id, String event, EventData data) {}

    static ServerSentEvent<Object> sse(ScanEvent event) {
        return ServerSentEvent.<Object>builder(event.data())
                .id(Long.toString(event.id()))
                .event(event.name())
                .build();
    }

    static EventLine line(ScanEvent event) {
        return new EventLine(event.id(), event.name(), event.data());
    }

    static Flux<ServerSentEvent<Object>> sseWithHeartbeats(Flux<ScanEvent> events, Duration idle, Scheduler scheduler) {
        return Heartbeats.whenIdle(events.map(EventFraming::sse), idle,
                () -> ServerSentEvent.<Object>builder().comment(HEARTBEAT).build(), scheduler);
    }
}
