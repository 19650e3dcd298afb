package io.portflux.probe;

import io.portflux.probe.ProbeLoops.Transport;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

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
@Validated
@ConfigurationProperties("portflux.probe")
public record ProbeProperties(
        @Min(0) @Max(64) int eventLoops,
        @Min(0) int inFlightBudget,
        @Min(0) int fdHeadroom,
        Transport transport) {

    public ProbeProperties {
        if (transport == null) {
            transport = Transport.AUTO;
        }
    }
}
