package io.portflux.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.portflux.probe.ConnectProber;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** MetricsConfiguration registers the scan and probe meters that /actuator/prometheus publishes. */
@Configuration(proxyBeanMethods = false)
public class MetricsConfiguration {

    @Bean
    MicrometerScanObserver scanObserver(MeterRegistry registry) {
        return new MicrometerScanObserver(registry);
    }

    @Bean
    MicrometerShardObserver shardObserver(MeterRegistry registry) {
        return new MicrometerShardObserver(registry);
    }

    @Bean
    ProbeMetrics probeMetrics(ConnectProber prober) {
        return new ProbeMetrics(prober);
    }
}
