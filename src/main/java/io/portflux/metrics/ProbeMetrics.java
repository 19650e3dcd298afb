package io.portflux.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.portflux.probe.ConnectProber;
import io.portflux.probe.InFlightBudget;

/**
 * ProbeMetrics publishes the connect prober's state as gauges: probe sockets open and the
 * process-wide in-flight budget (its current limit, its maximum and the probes queued for it).
 */
public final class ProbeMetrics implements MeterBinder {

    private final ConnectProber prober;

    public ProbeMetrics(ConnectProber prober) {
        this.prober = prober;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        InFlightBudget budget = prober.budget();
        Gauge.builder("portflux.probes.in.flight", prober, ConnectProber::inFlight)
                .description("Probe sockets open now, across all scans, including spares kept for reuse")
                .strongReference(true)
                .register(registry);
        Gauge.builder("portflux.probe.budget.limit", budget, InFlightBudget::limit)
                .description("In-flight probe limit in force now; below the maximum after local faults")
                .strongReference(true)
                .register(registry);
        Gauge.builder("portflux.probe.budget.max", budget, InFlightBudget::max)
                .description("Configured maximum of probes in flight across all scans")
                .strongReference(true)
                .register(registry);
        Gauge.builder("portflux.probe.budget.queued", budget, InFlightBudget::queued)
                .description("Probes waiting for an in-flight slot")
                .strongReference(true)
                .register(registry);
    }
}
