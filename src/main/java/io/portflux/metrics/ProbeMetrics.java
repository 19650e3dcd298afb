package io.portflux.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.portflux.probe.ConnectProber;
import io.portflux.probe.InFlightBudget;
import java.util.function.ToDoubleFunction;

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
        gauge(registry, "portflux.probes.in.flight", prober, ConnectProber::inFlight,
                "Probe sockets open now, across all scans, including spares kept for reuse");
        gauge(registry, "portflux.probe.budget.limit", budget, InFlightBudget::limit,
                "In-flight probe limit in force now; below the maximum after local faults");
        gauge(registry, "portflux.probe.budget.max", budget, InFlightBudget::max,
                "Configured maximum of probes in flight across all scans");
        gauge(registry, "portflux.probe.budget.queued", budget, InFlightBudget::queued,
                "Probes waiting for an in-flight slot");
    }

    /** A gauge that holds its object strongly: the prober and budget live as long as the registry. */
    private static <T> void gauge(MeterRegistry registry, String name, T object, ToDoubleFunction<T> value,
            String description) {
        Gauge.builder(name, object, value).description(description).strongReference(true).register(registry);
    }
}
