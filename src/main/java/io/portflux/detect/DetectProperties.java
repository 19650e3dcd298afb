package io.portflux.detect;

import io.portflux.input.Settings;
import java.time.Duration;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * DetectProperties tune service detection ({@code portflux.detect.*}).
 *
 * @param enabled whether a {@code report=open} scan that does not say {@code detect} gets detection
 * @param greetingMin how long a port may stay silent before it is probed, on a path with no delay; four connect
 *     round trips are added to it
 * @param greetingTimeout the longest wait for a greeting, whatever the path (an SMTP greet pause may need more)
 * @param probeTimeout how long one probe (connect, handshake, request and answer) may take
 * @param maxTime most time spent on one port, all of its conversations together
 * @param maxBytes most bytes read from one connection
 * @param bannerLength most characters of a reply kept as the banner
 * @param concurrency most ports one scan detects at once (each takes up to three connections of the in-flight
 *     budget)
 * @param tlsPorts ports whose silent greeting is followed by a TLS ClientHello first (the other probes go on
 *     new connections either way)
 * @param dnsPorts ports whose silent greeting is followed by a DNS query first
 */
@ConfigurationProperties("portflux.detect")
public record DetectProperties(
        boolean enabled,
        Duration greetingMin,
        Duration greetingTimeout,
        Duration probeTimeout,
        Duration maxTime,
        int maxBytes,
        int bannerLength,
        int concurrency,
        Set<Integer> tlsPorts,
        Set<Integer> dnsPorts) {

    public DetectProperties {
        Settings.required("portflux.detect.greeting-min", greetingMin);
        Settings.required("portflux.detect.greeting-timeout", greetingTimeout);
        Settings.required("portflux.detect.probe-timeout", probeTimeout);
        Settings.required("portflux.detect.max-time", maxTime);
        Settings.range("portflux.detect.max-bytes", maxBytes, 64, 1048576);
        Settings.range("portflux.detect.banner-length", bannerLength, 16, 4096);
        Settings.range("portflux.detect.concurrency", concurrency, 1, 4096);
        tlsPorts = tlsPorts == null ? Set.of() : Set.copyOf(tlsPorts);
        dnsPorts = dnsPorts == null ? Set.of() : Set.copyOf(dnsPorts);
    }
}
