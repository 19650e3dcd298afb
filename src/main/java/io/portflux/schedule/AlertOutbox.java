package io.portflux.schedule;

import io.portflux.alerts.AlertProperties;
import io.portflux.alerts.WebhookSender;
import jakarta.annotation.PreDestroy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * AlertOutbox sends the stored webhook deliveries, at least once each: every replica looks for due ones every
 * poll interval (and at once when a run of its own has enqueued one); an attempt is claimed in the store first,
 * so that one replica makes it, and moves the delivery's next attempt past the attempt's own timeout, so that
 * when that replica dies in the middle another one tries again. A failed attempt is retried after an
 * exponential backoff, up to {@code portflux.alerts.max-attempts}; every attempt carries the same body, id and
 * signature.
 */
public final class AlertOutbox implements AutoCloseable {

    static final String EVENT = "changes";

    private static final Logger log = LoggerFactory.getLogger(AlertOutbox.class);
    private static final int BATCH = 20;
    // Beyond the receiver's timeout: the time a claimed attempt may take before another replica may make it again.
    private static final Duration CLAIM_MARGIN = Duration.ofSeconds(5);

    private final ScheduleStore store;
    private final WebhookSender sender;
    private final AlertProperties properties;
    private final ScheduleMetrics metrics;
    private final Clock clock;
    private final Sinks.Many<Long> kicks = Sinks.many().multicast().directBestEffort();
    private final Disposable loop;

    AlertOutbox(ScheduleStore store, WebhookSender sender, AlertProperties properties, ScheduleMetrics metrics,
            Clock clock, Duration poll) {
        this.store = store;
        this.sender = sender;
        this.properties = properties;
        this.metrics = metrics;
        this.clock = clock;
        this.loop = ScheduleRunner.every(Flux.merge(Flux.interval(poll, poll), kicks.asFlux()), this::sweep,
                "webhook sweep");
    }

    /** Looks for due deliveries now. */
    void kick() {
        kicks.tryEmitNext(0L);
    }

    private Mono<Void> sweep() {
        Instant now = clock.instant();
        return store.dueDeliveries(now, BATCH).concatMap(this::attempt).then();
    }

    private Mono<Void> attempt(Delivery delivery) {
        Instant claimed = clock.instant();
        return store.claimAttempt(delivery, claimed.plus(properties.timeout()).plus(CLAIM_MARGIN))
                .filter(Boolean::booleanValue)
                .flatMap(got -> sender.send(delivery.url(), delivery.id(), EVENT, delivery.body()))
                .flatMap(attempt -> {
                    Instant now = clock.instant();
                    int attempts = delivery.attempts() + 1;
                    if (attempt.delivered()) {
                        metrics.delivery("delivered");
                        log.info("webhook delivery {} delivered on attempt {}", delivery.id(), attempts);
                        return store.attempted(delivery.id(), Delivery.DELIVERED, now, null, now);
                    }
                    if (attempts >= properties.maxAttempts()) {
                        metrics.delivery("failed");
                        log.warn("webhook delivery {} failed for good after {} attempts: {}", delivery.id(), attempts,
                                attempt.error());
                        return store.attempted(delivery.id(), Delivery.FAILED, now, attempt.error(), now);
                    }
                    Duration wait = properties.backoff(attempts);
                    metrics.delivery("retried");
                    log.info("webhook delivery {} attempt {} failed ({}); next in {} ms", delivery.id(), attempts,
                            attempt.error(), wait.toMillis());
                    return store.attempted(delivery.id(), Delivery.PENDING, now.plus(wait), attempt.error(), now)
                            .doOnSuccess(done -> Mono.delay(wait).subscribe(t -> kick()));
                });
    }

    @Override
    @PreDestroy
    public void close() {
        loop.dispose();
    }
}
