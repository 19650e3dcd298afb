package io.portflux.config;

import io.portflux.detect.DetectProperties;
import io.portflux.metrics.MetricsConfiguration;
import io.portflux.port.PortPolicyProperties;
import io.portflux.probe.ConnectProber;
import io.portflux.probe.NettyHostResolver;
import io.portflux.probe.ProbeLoops;
import io.portflux.probe.ProbeProperties;
import io.portflux.scan.Prober;
import io.portflux.scan.ScanLimits;
import io.portflux.scan.ScanObserver;
import io.portflux.scan.ScanPlanner;
import io.portflux.scan.ScanProperties;
import io.portflux.scan.Scanner;
import io.portflux.scan.service.ServiceDetector;
import io.portflux.target.HostResolver;
import io.portflux.target.TargetPolicy;
import io.portflux.target.TargetProperties;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.core.scheduler.Schedulers;

/** EngineConfiguration wires the engine, the prober and the resolver from the portflux.* properties. */
@Configuration(proxyBeanMethods = false)
public class EngineConfiguration {

    /** Bound on one DNS query; a name that does not answer in time counts as not resolving. */
    static final Duration DNS_QUERY_TIMEOUT = Duration.ofSeconds(5);

    private static final Logger log = LoggerFactory.getLogger(EngineConfiguration.class);

    @Bean
    ScanLimits scanLimits(ScanProperties p, DetectProperties detect) {
        return new ScanLimits(p.maxProbes(), p.defaultConcurrency(), p.maxConcurrency(), p.defaultTimeout(),
                p.minTimeout(), p.maxTimeout(), p.defaultRetries(), p.maxRetries(), p.maxRate(), detect.enabled());
    }

    @Bean
    TargetPolicy targetPolicy(TargetProperties targets, PortPolicyProperties ports) {
        return TargetPolicy.of(targets.allow(), targets.deny(), ports.deny());
    }

    @Bean(destroyMethod = "close")
    ProbeLoops probeLoops(ProbeProperties p) {
        ProbeLoops loops = new ProbeLoops(p.eventLoops(), p.transport());
        log.info("Probe loops: {} on {} (asked for {})", loops.size(), loops.transport(), p.transport());
        return loops;
    }

    @Bean
    ConnectProber connectProber(ProbeLoops loops, ProbeProperties p) {
        long budget = p.inFlightBudget() > 0 ? p.inFlightBudget() : ConnectProber.defaultBudget(p.fdHeadroom());
        return new ConnectProber(loops, budget);
    }

    @Bean(destroyMethod = "close")
    NettyHostResolver hostResolver(ProbeLoops loops) {
        return new NettyHostResolver(loops, DNS_QUERY_TIMEOUT);
    }

    @Bean
    ScanPlanner scanPlanner(ScanLimits limits, TargetPolicy policy, HostResolver resolver) {
        return new ScanPlanner(limits, policy, resolver);
    }

    @Bean
    Scanner scanner(Prober prober, ScanProperties p, ObjectProvider<ScanObserver> observer,
            ObjectProvider<ServiceDetector> detector) {
        // A context without MetricsConfiguration (a narrow test context) runs the engine unobserved.
        return new Scanner(prober, p.progressInterval(), Schedulers.parallel(),
                observer.getIfAvailable(() -> ScanObserver.NONE), detector.getIfAvailable(() -> ServiceDetector.NONE));
    }
}
