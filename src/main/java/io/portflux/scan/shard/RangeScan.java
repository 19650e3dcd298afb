package io.portflux.scan.shard;

import io.portflux.scan.event.EventData;
import java.util.Objects;
import reactor.core.publisher.Flux;

/**
 * RangeScan is one range of a scan being probed: its {@code port} and {@code service} events, which run when
 * subscribed and complete when every position of the range has its verdict (or the run is stopped), and the
 * tracker that says how far it has come.
 *
 * <p>A {@code port} event counts as done only once the consumer says it has kept it
 * ({@link CompletionTracker#delivered}), so a watermark never passes a port whose event could still be lost.
 */
public record RangeScan(IndexRange range, Flux<EventData> events, CompletionTracker tracker) {

    public RangeScan {
        Objects.requireNonNull(range, "range");
        Objects.requireNonNull(events, "events");
        Objects.requireNonNull(tracker, "tracker");
    }
}
