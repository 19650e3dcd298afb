package io.portflux.target;

import inet.ipaddr.AddressStringException;
import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressNetwork.IPAddressGenerator;
import inet.ipaddr.IPAddressSeqRange;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * AddressBlocks is a set of IP address blocks, merged, that a range can lie inside or touch; the
 * target policy keeps one for the allow-list and one for the deny-list.
 *
 * <p>Blocks are merged, so a range that straddles two adjacent blocks counts as inside. An empty
 * set contains and touches nothing.
 */
public final class AddressBlocks {

    /** The blocks the application allows by default: IPv4 and IPv6 loopback. */
    public static final String DEFAULT_CIDRS = "127.0.0.0/8,::1/128";

    private static final IPAddressGenerator GENERATOR = new IPAddressGenerator();

    private final List<IPAddressSeqRange> ranges;

    private AddressBlocks(List<IPAddressSeqRange> ranges) {
        this.ranges = List.copyOf(ranges);
    }

    /**
     * Builds a set from CIDR blocks or single addresses. Each element may itself be a
     * comma-separated list; entries are trimmed and empty ones ignored. A block written with host
     * bits set (127.0.0.5/8) means the whole block.
     *
     * @param role what the list is ("allow-list", "deny-list"), for the error message
     * @throws IllegalArgumentException naming the first invalid entry
     */
    public static AddressBlocks of(String role, List<String> cidrs) {
        Objects.requireNonNull(role, "role");
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
                    throw new IllegalArgumentException("invalid " + role + " entry '" + entry
                            + "': expected an IP address or CIDR block such as 127.0.0.0/8", e);
                }
            }
        }
        return new AddressBlocks(AddressSyntax.merge(blocks));
    }

    /** The default allow-list, {@value #DEFAULT_CIDRS}. */
    public static AddressBlocks loopback() {
        return of("allow-list", List.of(DEFAULT_CIDRS));
    }

    /** True only when every address of {@code range} lies inside the blocks. */
    public boolean contains(IPAddressSeqRange range) {
        Objects.requireNonNull(range, "range");
        boolean ipv4 = range.getLower().isIPv4();
        for (IPAddressSeqRange block : ranges) {
            if (block.getLower().isIPv4() == ipv4 && block.contains(range)) {
                return true;
            }
        }
        return false;
    }

    /** True when {@code address} lies inside the blocks. */
    public boolean contains(InetAddress address) {
        return contains(range(address));
    }

    /** The first block (in {@link #ranges()} order) that shares at least one address with {@code range}. */
    public Optional<IPAddressSeqRange> overlap(IPAddressSeqRange range) {
        Objects.requireNonNull(range, "range");
        boolean ipv4 = range.getLower().isIPv4();
        for (IPAddressSeqRange block : ranges) {
            if (block.getLower().isIPv4() == ipv4 && block.overlaps(range)) {
                return Optional.of(block);
            }
        }
        return Optional.empty();
    }

    /** The merged blocks, IPv4 first, ascending. */
    public List<IPAddressSeqRange> ranges() {
        return ranges;
    }

    /** The single-address range of {@code address}, from its bytes alone. */
    public static IPAddressSeqRange range(InetAddress address) {
        Objects.requireNonNull(address, "address");
        // From the bytes alone, so that an IPv6 scope id does not take part in the comparison.
        IPAddress ip = GENERATOR.from(address.getAddress());
        return ip.toSequentialRange();
    }

    @Override
    public String toString() {
        return "AddressBlocks" + ranges;
    }
}
