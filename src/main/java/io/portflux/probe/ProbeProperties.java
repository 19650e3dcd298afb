package io.portflux.probe;

import io.portflux.input.Settings;
import io.portflux.probe.ProbeLoops.Transport;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * ProbeProperties tune the connect transport ({@code portflux.probe.*}).
 *
 * @param eventLoops probe event loops; 0 means one per available processor
 * @param inFlightBudget probes in flight across all scans of the process; 0 derives it from the
 *     process's open-file limit minus {@code fdHeadroom}
 * @param fdHeadroom file descriptors kept free for the server, logs and the JVM
 * @param transport probe socket transport: {@code auto} (io_uring, else epoll, else NIO), {@code io_uring},
 *     {@code epoll} or {@code nio}; an unavailable one falls back down that order. The HTTP server and
 *     clients stay on epoll whatever this says.
 */
@ConfigurationProperties("portflux.probe")
public record ProbeProperties(
        int eventLoops,
        int inFlightBudget,
        int fdHeadroom,
        Transport transport) {

    public ProbeProperties {
        Settings.range("portflux.probe.event-loops", eventLoops, 0, 64);
        Settings.atLeast("portflux.probe.in-flight-budget", inFlightBudget, 0);
        Settings.atLeast("portflux.probe.fd-headroom", fdHeadroom, 0);
        if (transport == null) {
            transport = Transport.AUTO;
        }
    }
}
