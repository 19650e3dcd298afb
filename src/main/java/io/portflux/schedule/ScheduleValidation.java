package io.portflux.schedule;

import io.portflux.alerts.WebhookPolicy;
import io.portflux.scan.ScanPlanner;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * ScheduleValidation checks a schedule as a scan request is checked when it is started: its scan is planned
 * (targets resolved, the target policy, the port policy and the size limits applied) and its webhook must pass
 * the webhook policy. Refusals are the planner's and the policy's own, with their fields named below
 * {@code scan.} and {@code alerts.}.
 */
@Component
public class ScheduleValidation {

    private final ScanPlanner planner;
    private final WebhookPolicy webhooks;

    public ScheduleValidation(ScanPlanner planner, WebhookPolicy webhooks) {
        this.planner = planner;
        this.webhooks = webhooks;
    }

    public Mono<ScheduleSpec> check(ScheduleSpec spec) {
        Mono<ScheduleSpec> scan = Mono.defer(() -> planner.plan(spec.scan()))
                .onErrorMap(RuntimeException.class, e -> ScheduleBody.within("scan", e))
                .thenReturn(spec);
        if (spec.webhook() == null) {
            return scan;
        }
        return scan.then(Mono.fromCallable(() -> webhooks.check("alerts.webhook", spec.webhook()))
                        .subscribeOn(Schedulers.boundedElastic()))
                .thenReturn(spec);
    }
}
