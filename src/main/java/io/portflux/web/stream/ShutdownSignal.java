package io.portflux.web.stream;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/**
 * ShutdownSignal tells running scans and open streams that the server is going down.
 *
 * <p>It stops before the web server's graceful shutdown (highest phase stops first): every scan
 * gets a terminal {@code done} event with status {@code cancelled}, so open SSE streams end on
 * their own instead of holding graceful shutdown up for its whole timeout. Then it waits for the work held
 * with {@link #holdFor(Mono)}, such as the writes of the scans' last events.
 */
@Component
public class ShutdownSignal implements SmartLifecycle {

    public static final String MESSAGE = "server is shutting down";

    /** Longest wait for open streams to write their final event before shutdown goes on. */
    private static final Duration DRAIN = Duration.ofSeconds(3);
    /** Longest further wait for work that must outlive the streams, such as storing the scans' last events. */
    private static final Duration SETTLE = Duration.ofSeconds(5);

    private static final Logger log = LoggerFactory.getLogger(ShutdownSignal.class);

    private final Sinks.One<String> signal = Sinks.one();
    private final AtomicInteger openStreams = new AtomicInteger();
    private final Set<Mono<Void>> pending = ConcurrentHashMap.newKeySet();
    private volatile boolean running;

    /** Emits the shutdown message once the server starts to stop; never completes before. */
    public Mono<String> stopped() {
        return signal.asMono();
    }

    /** Counts {@code stream} as open until it terminates or is cancelled. */
    public <T> Flux<T> track(Flux<T> stream) {
        return stream.doOnSubscribe(s -> openStreams.incrementAndGet())
                .doFinally(s -> openStreams.decrementAndGet());
    }

    /**
     * Holds shutdown, after the streams have ended, until {@code work} completes (or for a few seconds at
     * most), so that what the ending scans still have to write is written before the connections close.
     * {@code work} must be subscribed elsewhere and replay its completion (e.g. {@code cache()}).
     */
    public void holdFor(Mono<Void> work) {
        pending.add(work);
        work.doFinally(signal -> pending.remove(work)).subscribe(null, error -> { });
    }

    int openStreams() {
        return openStreams.get();
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        signal.tryEmitValue(MESSAGE);
        running = false;
    }

    @Override
    public void stop(Runnable callback) {
        signal.tryEmitValue(MESSAGE);
        Flux.interval(Duration.ofMillis(20), Schedulers.boundedElastic())
                .filter(tick -> openStreams.get() == 0)
                .next()
                .timeout(DRAIN, Mono.fromRunnable(
                        () -> log.warn("{} stream(s) still open after {}", openStreams.get(), DRAIN)))
                .then(Mono.when(pending).timeout(SETTLE, Mono.fromRunnable(
                        () -> log.warn("{} task(s) still unfinished after {}", pending.size(), SETTLE))))
                .doFinally(s -> {
                    running = false;
                    callback.run();
                })
                .subscribe();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return Integer.MAX_VALUE;
    }
}
