package io.portflux.schedule;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;

/**
 * ScheduleMetrics count what schedules do, for Prometheus: runs by final status, ticks skipped because the
 * previous run was still going, ticks missed while no replica ran them, changes found, and webhook attempts by
 * outcome.
 */
@Component
public class ScheduleMetrics {

    private final MeterRegistry registry;

    public ScheduleMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void run(String schedule, String status) {
        Counter.builder("portflux.schedule.runs").description("Scheduled runs, by their scan's final status")
                .tag("schedule", schedule).tag("status", status).register(registry).increment();
    }

    void skipped(String schedule) {
        Counter.builder("portflux.schedule.ticks.skipped")
                .description("Ticks skipped because the schedule's previous run was still going")
                .tag("schedule", schedule).register(registry).increment();
    }

    void missed(String schedule, long ticks) {
        Counter.builder("portflux.schedule.ticks.missed")
                .description("Ticks that passed while no replica ran the schedule (not replayed)")
                .tag("schedule", schedule).register(registry).increment(ticks);
    }

    void changes(String schedule, int changes) {
        Counter.builder("portflux.schedule.changes")
                .description("Ports and hosts found changed by scheduled runs against their previous run")
                .tag("schedule", schedule).register(registry).increment(changes);
    }

    void delivery(String outcome) {
        Counter.builder("portflux.alert.deliveries")
                .description("Webhook attempts, by outcome: delivered, retried (failed, tried again later) or failed "
                        + "(failed for the last time)")
                .tag("outcome", outcome).register(registry).increment();
    }
}
