package io.portflux.store;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * PortResult is one stored port verdict of a scan: the address and port, its state and reason, and what
 * detection found there.
 *
 * @param host the host name, when the target was given as a name
 * @param service the detected protocol, or the port table's name
 * @param method {@code probed} or {@code table} once detection is over; null without detection
 * @param rttMs connect round-trip time in ms, for answered probes
 */
public record PortResult(String ip, int port, @Nullable String host, String state, String reason,
        @Nullable String service, @Nullable String product, @Nullable String version, @Nullable String method,
        @Nullable Double rttMs) {

    public PortResult {
        Objects.requireNonNull(ip, "ip");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(reason, "reason");
    }

    /**
     * Tally is how many of one host's stored ports have one state for one reason.
     */
    public record Tally(String state, String reason, long count) {
        public Tally {
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * Pair is one address and port as two scans stored it, where they differ: either side is null when that scan
     * stored nothing there.
     */
    public record Pair(String ip, int port, @Nullable PortResult base, @Nullable PortResult scan) {
        public Pair {
            Objects.requireNonNull(ip, "ip");
            if (base == null && scan == null) {
                throw new IllegalArgumentException("a pair needs at least one side");
            }
        }
    }
}
