package io.portflux.config;

import io.portflux.probe.ConnectProber;
import io.portflux.probe.LoopbackOnlyProber;
import io.portflux.scan.Prober;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;

/**
 * LoopbackGuardConfiguration puts every live probe of the test context behind a guard that fails
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
}
