package io.portflux.web.stream;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

class HeartbeatsTests {

    @Test
    void aBeatGoesOutOnlyAfterTheStreamHasBeenIdleForTheInterval() {
        VirtualTimeScheduler time = VirtualTimeScheduler.create();
        StepVerifier.withVirtualTime(() -> Heartbeats.whenIdle(
                                Flux.concat(Flux.just("a"), Flux.just("b").delayElements(Duration.ofSeconds(10), time),
                                        Flux.just("c").delayElements(Duration.ofSeconds(40), time)),
                                Duration.ofSeconds(15), () -> "beat", time),
                        () -> time, Long.MAX_VALUE)
                .expectNext("a")
                .expectNoEvent(Duration.ofSeconds(10))
                .expectNext("b")
                // Idle from t=10 s: beats at about 25 s and 40 s, then "c" at 50 s.
                .expectNoEvent(Duration.ofSeconds(14))
                .thenAwait(Duration.ofSeconds(2))
                .expectNext("beat")
                .thenAwait(Duration.ofSeconds(15))
                .expectNext("beat")
                .thenAwait(Duration.ofSeconds(10))
                .expectNext("c")
                .verifyComplete();
    }

    @Test
    void aBusyStreamGetsNoBeats() {
        VirtualTimeScheduler time = VirtualTimeScheduler.create();
        StepVerifier.withVirtualTime(() -> Heartbeats.whenIdle(
                                Flux.interval(Duration.ofSeconds(5), time).take(10).map(i -> "x" + i),
                                Duration.ofSeconds(15), () -> "beat", time),
                        () -> time, Long.MAX_VALUE)
                .thenAwait(Duration.ofSeconds(60))
                .expectNextCount(10)
                .verifyComplete();
    }
}
