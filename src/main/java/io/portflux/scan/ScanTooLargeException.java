package io.portflux.scan;

import java.math.BigInteger;

/** ScanTooLargeException is a scan whose probe count exceeds the configured limit (HTTP 413). */
public class ScanTooLargeException extends RuntimeException {

    private final BigInteger probes;
    private final long limit;

    public ScanTooLargeException(BigInteger probes, long limit, String targets, String ports) {
        super("targets='" + targets + "' × ports='" + ports + "' is " + probes
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
