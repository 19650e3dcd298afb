package io.portflux.scan;

import inet.ipaddr.AddressStringException;
import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressNetwork.IPAddressGenerator;
import inet.ipaddr.IPAddressSeqRange;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * AllowList is the set of address blocks that scans may target; anything outside is refused.
 *
 * <p>Allowed blocks are merged, so a range that straddles two adjacent allowed blocks is
 * permitted. An empty allow-list permits nothing.
 */
public final class AllowList {

    /** The blocks the application allows by default: IPv4 and IPv6 loopback. */
    public static final String DEFAULT_CIDRS = "127.0.0.0/8,::1/128";

    private static final IPAddressGenerator GENERATOR = new IPAddressGenerator();

    private final List<IPAddressSeqRange> ranges;

    private AllowList(List<IPAddressSeqRange> ranges) {
        this.ranges = List.copyOf(ranges);
    }

    /**
     * Builds an allow-list from CIDR blocks or single addresses. Each element may itself be a
     * comma-separated list; entries are trimmed and empty ones ignored. A block written with host
     * bits set (127.0.0.5/8) means the whole block.
     *
     * @throws IllegalArgumentException naming the first invalid entry
     */
    public static AllowList of(List<String> cidrs) {
        Objects.requireNonNull(cidrs, "cidrs");
        List<IPAddressSeqRange> blocks = new ArrayList<>();
        for (String element : cidrs) {
            if (element == null) {
                continue;
            }
            for (String raw : element.split(",", -1)) {
                String entry = raw.strip();
                if (entry.isEmpty()) {
                    continue;
                }
                try {
                    blocks.add(AddressSyntax.parse(entry).toSequentialRange());
                } catch (AddressStringException e) {
                    throw new IllegalArgumentException(
                            "invalid allow-list entry '" + entry + "': expected an IP address or CIDR block such as 127.0.0.0/8",
                            e);
                }
            }
        }
        return new AllowList(AddressSyntax.merge(blocks));
    }

    /** The default allow-list, {@value #DEFAULT_CIDRS}. */
    public static AllowList loopback() {
        return of(List.of(DEFAULT_CIDRS));
    }

    /** True only when every address of {@code range} lies inside the allowed blocks. */
    public boolean permits(IPAddressSeqRange range) {
        Objects.requireNonNull(range, "range");
        boolean ipv4 = range.getLower().isIPv4();
        for (IPAddressSeqRange allowed : ranges) {
            if (allowed.getLower().isIPv4() == ipv4 && allowed.contains(range)) {
                return true;
            }
        }
        return false;
    }

    /** True when {@code address} lies inside the allowed blocks. */
    public boolean permits(InetAddress address) {
        Objects.requireNonNull(address, "address");
        // From the bytes alone, so that an IPv6 scope id does not take part in the comparison.
        IPAddress ip = GENERATOR.from(address.getAddress());
        return permits(ip.toSequentialRange());
    }

    /** The allowed blocks, merged, IPv4 first, ascending. */
    public List<IPAddressSeqRange> ranges() {
        return ranges;
    }

    @Override
    public String toString() {
        return "AllowList" + ranges;
    }
}
