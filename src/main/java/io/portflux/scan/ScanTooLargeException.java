package io.portflux.scan;

import io.portflux.port.PortList;
import java.math.BigInteger;
import org.jspecify.annotations.Nullable;

/** ScanTooLargeException is a scan whose probe count exceeds the configured limit (HTTP 413). */
public class ScanTooLargeException extends RuntimeException {

    private final BigInteger probes;
    private final long limit;

    /** {@code ports} is the list as the client sent it, or null when it sent none (the default list). */
    public ScanTooLargeException(BigInteger probes, long limit, String targets, @Nullable String ports) {
        super("targets='" + targets + "' × ports='" + (ports == null ? PortList.DEFAULT : ports) + "' is " + probes
                + " probes, over the limit of " + limit + " per scan");
        this.probes = probes;
        this.limit = limit;
    }

    public BigInteger probes() {
        return probes;
    }

    public long limit() {
        return limit;
    }
}
