package io.portflux.target;

import inet.ipaddr.IPAddressSeqRange;
import io.portflux.input.InvalidInputException;
import io.portflux.port.PortList;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * TargetPolicy decides which addresses and ports a scan may reach: inside the allow-list, touching
 * no denied block, and no denied port. Deny wins over allow.
 *
 * <p>Decisions are made on address bytes, never on text. A range is judged as a whole: touching a
 * denied block refuses all of it, and all of it must lie inside the allow-list. An IPv6 range that
 * embeds IPv4 (see {@link EmbeddedIpv4}) must pass twice, as IPv6 and by every IPv4 it embeds,
 * because a connect to {@code ::ffff:169.254.169.254} reaches 169.254.169.254.
 */
public final class TargetPolicy {

    /**
     * Blocks that are always denied; configuration adds to them and cannot remove them. 0.0.0.0/8
     * because Linux connects 0.0.0.0 to the local host; 169.254.0.0/16 and fe80::/10 hold the cloud
     * metadata services (169.254.169.254, and fd00:ec2::254 on AWS).
     */
    public static final List<String> BUILT_IN_DENY = List.of(
            "0.0.0.0/8", // unspecified, "this network"
            "169.254.0.0/16", // IPv4 link-local
            "224.0.0.0/4", // IPv4 multicast
            "255.255.255.255/32", // limited broadcast
            "::/128", // IPv6 unspecified
            "fd00:ec2::254/128", // AWS metadata service over IPv6
            "fe80::/10", // IPv6 link-local
            "ff00::/8"); // IPv6 multicast

    private static final String OUTSIDE = "is outside the allowed targets";

    private final AddressBlocks allow;
    private final AddressBlocks deny;
    private final BitSet deniedPorts;

    private TargetPolicy(AddressBlocks allow, AddressBlocks deny, BitSet deniedPorts) {
        this.allow = allow;
        this.deny = deny;
        this.deniedPorts = deniedPorts;
    }

    /**
     * Builds a policy from configuration. Each list element may itself be a comma-separated list.
     *
     * @param allow CIDRs a target must lie in
     * @param deny CIDRs denied on top of {@link #BUILT_IN_DENY}
     * @param deniedPorts ports or port ranges ({@code 25}, {@code 6000-6063}) never to be probed
     * @throws IllegalArgumentException naming the first invalid entry
     */
    public static TargetPolicy of(List<String> allow, List<String> deny, List<String> deniedPorts) {
        Objects.requireNonNull(deny, "deny");
        Objects.requireNonNull(deniedPorts, "deniedPorts");
        List<String> denied = new ArrayList<>(BUILT_IN_DENY);
        denied.addAll(deny);
        BitSet ports = new BitSet();
        for (String element : deniedPorts) {
            if (element == null || element.replace(',', ' ').isBlank()) {
                continue; // PortList reads a blank list as top-1000, which is not what an empty deny means
            }
            try {
                for (int port : PortList.parse(element).toArray()) {
                    ports.set(port);
                }
            } catch (InvalidInputException e) {
                throw new IllegalArgumentException("invalid denied port entry '" + element + "': " + e.getMessage(), e);
            }
        }
        return new TargetPolicy(AddressBlocks.of("allow-list", allow), AddressBlocks.of("deny-list", denied), ports);
    }

    /** Loopback allowed, only the built-in blocks denied, no port denied. */
    public static TargetPolicy loopback() {
        return of(List.of(AddressBlocks.DEFAULT_CIDRS), List.of(), List.of());
    }

    /**
     * Why {@code range} is refused, as a phrase that completes "the target ...", or empty when
     * the whole range may be scanned. Denied blocks are looked for first, in the range and in the
     * IPv4 it embeds, so that the answer names the most serious reason.
     */
    public Optional<String> refusal(IPAddressSeqRange range) {
        Objects.requireNonNull(range, "range");
        List<EmbeddedIpv4.Found> embedded = EmbeddedIpv4.in(range);
        Optional<IPAddressSeqRange> denied = deny.overlap(range);
        if (denied.isPresent()) {
            return Optional.of(touches(denied.get()));
        }
        for (EmbeddedIpv4.Found found : embedded) {
            denied = deny.overlap(found.ipv4());
            if (denied.isPresent()) {
                return Optional.of(embeds(found) + touches(denied.get()));
            }
        }
        if (!allow.contains(range)) {
            return Optional.of(OUTSIDE);
        }
        for (EmbeddedIpv4.Found found : embedded) {
            if (!allow.contains(found.ipv4())) {
                return Optional.of(embeds(found) + OUTSIDE);
            }
        }
        return Optional.empty();
    }

    /** Why {@code address} is refused, or empty when it may be scanned; the scope id plays no part. */
    public Optional<String> refusal(InetAddress address) {
        return refusal(AddressBlocks.range(address));
    }

    /** The lowest denied port among {@code ports}, if any. */
    public OptionalInt deniedPort(PortList ports) {
        Objects.requireNonNull(ports, "ports");
        for (int port = deniedPorts.nextSetBit(0); port >= 0; port = deniedPorts.nextSetBit(port + 1)) {
            if (ports.contains(port)) {
                return OptionalInt.of(port);
            }
        }
        return OptionalInt.empty();
    }

    /** The allowed blocks, merged. */
    public List<IPAddressSeqRange> allowed() {
        return allow.ranges();
    }

    /** The denied blocks, built-in and configured, merged. */
    public List<IPAddressSeqRange> denied() {
        return deny.ranges();
    }

    private static String touches(IPAddressSeqRange denied) {
        return "touches the denied block " + describe(denied);
    }

    private static String embeds(EmbeddedIpv4.Found found) {
        return "embeds the IPv4 " + describe(found.ipv4()) + " (" + found.form() + "), which ";
    }

    /** A range as a single address, one CIDR block, or lower-upper. */
    public static String describe(IPAddressSeqRange range) {
        if (range.getLower().equals(range.getUpper())) {
            return range.getLower().toCanonicalString();
        }
        var blocks = range.spanWithPrefixBlocks();
        if (blocks.length == 1) {
            return blocks[0].toCanonicalString();
        }
        return range.getLower().toCanonicalString() + "-" + range.getUpper().toCanonicalString();
    }

    @Override
    public String toString() {
        return "TargetPolicy[allow=" + allow.ranges() + ", deny=" + deny.ranges() + ", deniedPorts=" + deniedPorts + "]";
    }
}
