package io.portflux.web.stream;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/**
 * Heartbeats inserts a keep-alive item into a stream that has been idle for a while, so that
 * proxies with an idle timeout do not cut a quiet stream.
 */
final class Heartbeats {

    /** How many checks per idle period; the worst-case gap is idle × (1 + 1/CHECKS). */
    private static final int CHECKS = 15;

    private Heartbeats() {}

    static <T> Flux<T> whenIdle(Flux<T> source, Duration idle, Supplier<T> beat, Scheduler scheduler) {
        return Flux.defer(() -> {
            long idleMillis = idle.toMillis();
            AtomicLong lastSent = new AtomicLong(scheduler.now(TimeUnit.MILLISECONDS));
            Sinks.Empty<Void> sourceOver = Sinks.empty();
            Duration check = idle.dividedBy(CHECKS);
            Flux<T> beats = Flux.interval(check, check, scheduler)
                    .onBackpressureDrop()
                    .<T>handle((tick, sink) -> {
                        long now = scheduler.now(TimeUnit.MILLISECONDS);
                        if (now - lastSent.get() >= idleMillis) {
                            lastSent.set(now);
                            sink.next(beat.get());
                        }
                    })
                    .takeUntilOther(sourceOver.asMono());
            Flux<T> items = source
                    .doOnNext(item -> lastSent.set(scheduler.now(TimeUnit.MILLISECONDS)))
                    .doFinally(signal -> sourceOver.tryEmitEmpty());
            return Flux.merge(items, beats);
        });
    }
}
