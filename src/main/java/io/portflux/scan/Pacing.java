package io.portflux.scan;

import java.time.Duration;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;

/** Pacing produces a lane's probe positions, optionally capped to a rate per second. */
final class Pacing {

    /** Granularity of the rate cap: positions are released in batches at most this often. */
    static final Duration TICK = Duration.ofMillis(10);

    private Pacing() {}

    /**
     * Positions {@code lane, lane + lanes, …} below {@code size}. With a rate, positions come in
     * batches, one batch per tick, so the lane never starts more than {@code rate} probes a second.
     * Reactor's {@code delayElements} does the timing, so no hand-made token bucket is needed.
     */
    static Flux<Long> positions(long size, int lane, int lanes, Integer rate, Scheduler scheduler) {
        return positions(0, size, lane, lanes, rate, scheduler);
    }

    /**
     * Positions {@code from + lane, from + lane + lanes, …} below {@code to}: a lane's share of the range
     * {@code [from, to)}, paced as above.
     */
    static Flux<Long> positions(long from, long to, int lane, int lanes, Integer rate, Scheduler scheduler) {
        Flux<Long> positions = Flux.generate(() -> from + lane, (next, sink) -> {
            if (next >= to) {
                sink.complete();
            } else {
                sink.next(next);
            }
            return next + lanes;
        });
        if (rate == null) {
            return positions;
        }
        long ticksPerSecond = Duration.ofSeconds(1).dividedBy(TICK);
        int batch = (int) Math.max(1, rate / ticksPerSecond);
        Duration period = Duration.ofNanos(Duration.ofSeconds(1).toNanos() * batch / rate);
        return positions.buffer(batch).delayElements(period, scheduler).concatMapIterable(list -> list);
    }
}
