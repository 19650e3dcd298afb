package io.portflux.config;

import io.portflux.detect.DetectProperties;
import io.portflux.detect.NettyServiceDetector;
import io.portflux.probe.ConnectProber;
import io.portflux.target.TargetPolicy;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * DetectConfiguration wires service detection: its own two epoll loops (detection conversations are few
 * and short, and stay off the probe loops), the target policy, and the probes' in-flight budget, which
 * detection connections share.
 */
@Configuration(proxyBeanMethods = false)
public class DetectConfiguration {

    private static final int DETECT_LOOPS = 2;

    // Not a bean of their own: HttpLoops beans are what the HTTP server picks its loops from.
    @Bean(destroyMethod = "close")
    NettyServiceDetector serviceDetector(TargetPolicy policy, ConnectProber prober, DetectProperties properties) {
        HttpLoops loops = new HttpLoops("portflux-detect", DETECT_LOOPS);
        return new NettyServiceDetector(loops, policy, prober.budget(), properties, loops::close);
    }
}
