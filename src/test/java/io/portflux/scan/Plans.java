package io.portflux.scan;

import io.portflux.target.HostResolver;
import io.portflux.target.TargetPolicy;
import java.time.Duration;

/** Plans builds engine-level scan plans for tests, straight from target and port strings. */
final class Plans {

    private Plans() {}

    static ScanLimits limits() {
        return new ScanLimits(1_000_000, 64, 4096, Duration.ofMillis(200), Duration.ofMillis(10),
                Duration.ofSeconds(30), 1, 5, 1_000_000);
    }

    /** A plan over literal addresses (no names), with explicit knobs. */
    static ScanPlan plan(String targets, String ports, int concurrency, int retries, Integer rate, boolean reportAll,
            boolean random) {
        ScanRequest request = new ScanRequest(targets, ports, Integer.toString(concurrency), "200ms",
                Integer.toString(retries), rate == null ? null : rate.toString(), reportAll ? "all" : "open",
                random ? "random" : "sequential", "42");
        HostResolver noNames = name -> reactor.core.publisher.Mono.just(java.util.List.of());
        return new ScanPlanner(limits(), TargetPolicy.loopback(), noNames)
                .plan(request)
                .block();
    }
}
