package io.portflux.scan.event;

import java.util.Objects;

/**
 * ScanEvent is one numbered event of a scan; ids start at 1 and rise by one within a scan.
 *
 * @param id the event id, also the SSE {@code id:} field
 * @param data the payload; its {@link EventData#eventName()} is the SSE {@code event:} field
 */
public record ScanEvent(long id, EventData data) {

    public ScanEvent {
        if (id < 1) {
            throw new IllegalArgumentException("event id must be >= 1: " + id);
        }
        Objects.requireNonNull(data, "data");
    }

    /** The SSE event name: {@code started}, {@code port}, {@code progress} or {@code done}. */
    public String name() {
        return data.eventName();
    }
}
