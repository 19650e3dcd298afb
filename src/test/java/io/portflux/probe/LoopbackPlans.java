package io.portflux.probe;

import io.portflux.scan.ScanLimits;
import io.portflux.scan.ScanPlan;
import io.portflux.scan.ScanPlanner;
import io.portflux.scan.ScanRequest;
import io.portflux.target.HostResolver;
import io.portflux.target.TargetPolicy;
import java.time.Duration;
import java.util.List;
import reactor.core.publisher.Mono;

/** LoopbackPlans builds scan plans of 127.0.0.1 for the probe tests that run whole scans, with every port reported. */
final class LoopbackPlans {

    private LoopbackPlans() {}

    /** A plan of 127.0.0.1 on {@code ports}, reporting every port, in a random order drawn from {@code seed}. */
    static ScanPlan plan(String ports, int concurrency, String timeout, int retries, long seed) {
        ScanLimits limits = new ScanLimits(1_000_000, 1000, 4096, Duration.ofSeconds(1), Duration.ofMillis(10),
                Duration.ofSeconds(30), 1, 5, 1_000_000);
        HostResolver noNames = name -> Mono.just(List.of());
        return new ScanPlanner(limits, TargetPolicy.loopback(), noNames)
                .plan(new ScanRequest("127.0.0.1", ports, Integer.toString(concurrency), timeout,
                        Integer.toString(retries), null, "all", "random", Long.toString(seed)))
                .block();
    }
}
