package io.portflux.config;

import io.portflux.detect.LoopbackOnlyDetector;
import io.portflux.detect.NettyServiceDetector;
import io.portflux.probe.ConnectProber;
import io.portflux.probe.LoopbackOnlyProber;
import io.portflux.scan.Prober;
import io.portflux.scan.service.ServiceDetector;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;

/**
 * LoopbackGuardConfiguration puts every live probe and service detection of the test context behind a guard that fails
 * the test on any address that is not loopback (or, in a service that a real-network rig started, not
 * one of the rig's targets). It lives in the test tree, so component scanning
 * picks it up for every application-context test and never for the real application.
 */
@Configuration(proxyBeanMethods = false)
public class LoopbackGuardConfiguration {

    @Bean
    @Primary
    Prober loopbackOnlyProber(ConnectProber real) {
        return new LoopbackOnlyProber(real, LoopbackOnlyProber.rigTargetsOfThisProcess());
    }

    @Bean
    @Primary
    ServiceDetector loopbackOnlyDetector(NettyServiceDetector real) {
        return new LoopbackOnlyDetector(real, LoopbackOnlyProber.rigTargetsOfThisProcess());
    }
}
