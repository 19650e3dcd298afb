package io.portflux.results;

import io.portflux.store.PortResult;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * PortChange is one port of one host that differs between a base scan and a scan, keyed as ndiff keys ports:
 * address, then port and protocol.
 *
 * @param host the host name the address was given by, if any
 * @param kind {@link #CHANGED}, or {@link #NOT_COMPARABLE} when only one scan probed the port or one has no
 *     verdict for it
 * @param changed what changed: {@code state}, {@code service}, {@code product}, {@code version}; empty when not
 *     comparable
 * @param base the port in the base scan, or null when it has no verdict there
 * @param scan the port in the scan, or null when it has no verdict there
 * @param note why the port is not comparable, or null
 */
public record PortChange(String ip, @Nullable String host, int port, String protocol, String kind, List<String> changed,
        @Nullable Side base, @Nullable Side scan, @Nullable String note) {

    public static final String CHANGED = "changed";
    public static final String NOT_COMPARABLE = "not-comparable";

    public PortChange {
        Objects.requireNonNull(ip, "ip");
        Objects.requireNonNull(kind, "kind");
        changed = List.copyOf(changed);
    }

    /**
     * Side is a port's verdict in one scan: as stored, or {@link ScanScope#NOT_OPEN} for a port a completed
     * {@code report=open} scan probed and did not store (reason {@code unreported}).
     */
    public record Side(String state, String reason, @Nullable String service, @Nullable String product,
            @Nullable String version) {

        static Side of(PortResult r) {
            return new Side(r.state(), r.reason(), r.service(), r.product(), r.version());
        }

        static Side notOpen() {
            return new Side(ScanScope.NOT_OPEN, HostView.UNREPORTED, null, null, null);
        }

        /** Whether this state and {@code other}'s can be the same verdict: closed|filtered is closed or filtered. */
        boolean sameState(Side other) {
            return state.equals(other.state) || agrees(this, other) || agrees(other, this);
        }

        private static boolean agrees(Side vague, Side exact) {
            return vague.state.equals(ScanScope.NOT_OPEN) && (exact.state.equals("closed") || exact.state.equals("filtered"));
        }
    }
}
