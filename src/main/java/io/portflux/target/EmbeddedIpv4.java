package io.portflux.target;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressSeqRange;
import inet.ipaddr.IPAddressString;
import inet.ipaddr.ipv4.IPv4Address;
import inet.ipaddr.ipv6.IPv6Address;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * EmbeddedIpv4 finds the IPv4 addresses that an IPv6 range carries inside it, so that the target
 * policy can judge {@code ::ffff:169.254.169.254} by the IPv4 it reaches as well.
 *
 * <p>The forms are IPv4-mapped ({@code ::ffff:0:0/96}), IPv4-translated ({@code ::ffff:0:0:0/96}),
 * IPv4-compatible ({@code ::/96} without {@code ::} and {@code ::1}), NAT64 ({@code 64:ff9b::/96}),
 * 6to4 ({@code 2002::/16}) and Teredo ({@code 2001::/32}: server and obfuscated client).
 */
final class EmbeddedIpv4 {

    /** One IPv4 range embedded in (part of) an IPv6 range, and the form that embeds it. */
    record Found(String form, IPAddressSeqRange ipv4) {}

    /**
     * One embedding form: the IPv6 block that uses it, the library's own test for it (the tests
     * check that the two agree) and where the IPv4 sits.
     */
    enum Form {
        MAPPED("IPv4-mapped", block("::ffff:0:0/96"), IPv6Address::isIPv4Mapped, IPv6Address::getEmbeddedIPv4Address),
        TRANSLATED("IPv4-translated", block("::ffff:0:0:0/96"), IPv6Address::isIPv4Translatable,
                IPv6Address::getEmbeddedIPv4Address),
        // :: is the unspecified address and ::1 loopback, not 0.0.0.0 and 0.0.0.1.
        COMPATIBLE("IPv4-compatible", between("::2", "::ffff:ffff"), IPv6Address::isIPv4Compatible,
                IPv6Address::getEmbeddedIPv4Address),
        NAT64("NAT64", block("64:ff9b::/96"), IPv6Address::isWellKnownIPv4Translatable,
                IPv6Address::getEmbeddedIPv4Address),
        SIX_TO_FOUR("6to4", block("2002::/16"), IPv6Address::is6To4, IPv6Address::get6To4IPv4Address),
        TEREDO_SERVER("Teredo server", block("2001::/32"), IPv6Address::isTeredo, a -> a.getEmbeddedIPv4Address(4)),
        // The client address is stored with every bit inverted (RFC 4380, section 4).
        TEREDO_CLIENT("Teredo client", block("2001::/32"), IPv6Address::isTeredo,
                a -> new IPv4Address(~a.getEmbeddedIPv4Address().intValue()));

        final String label;
        final IPAddressSeqRange block;
        final Predicate<IPv6Address> libraryTest;
        private final Function<IPv6Address, IPv4Address> extract;

        Form(String label, IPAddressSeqRange block, Predicate<IPv6Address> libraryTest,
                Function<IPv6Address, IPv4Address> extract) {
            this.label = label;
            this.block = block;
            this.libraryTest = libraryTest;
            this.extract = extract;
        }

        /** The IPv4 embedded in one address of this form. */
        IPv4Address ipv4Of(IPv6Address address) {
            return extract.apply(address);
        }

        /**
         * The IPv4 addresses embedded somewhere in {@code part}, a range inside {@link #block}. For
         * every form but the Teredo client the IPv4 bits are the most significant ones that vary
         * inside the block, so the embedded addresses run from that of the lower end to that of the
         * upper end. The inverted Teredo client is exact only within one /96; beyond it the range
         * counts as embedding all of IPv4, which errs on the side of refusing.
         */
        IPAddressSeqRange ipv4Of(IPAddressSeqRange part) {
            IPv6Address lower = part.getLower().toIPv6();
            IPv6Address upper = part.getUpper().toIPv6();
            if (this != TEREDO_CLIENT) {
                return ipv4Of(lower).toSequentialRange(ipv4Of(upper));
            }
            if (lower.getNetworkSection(96).equals(upper.getNetworkSection(96))) {
                return ipv4Of(upper).toSequentialRange(ipv4Of(lower));
            }
            return block("0.0.0.0/0");
        }
    }

    private EmbeddedIpv4() {}

    /** The IPv4 ranges embedded in {@code range}; empty for IPv4 and for IPv6 outside every form. */
    static List<Found> in(IPAddressSeqRange range) {
        List<Found> found = new ArrayList<>();
        if (!range.getLower().isIPv6()) {
            return found;
        }
        for (Form form : Form.values()) {
            IPAddressSeqRange part = range.intersect(form.block);
            if (part != null) {
                found.add(new Found(form.label, form.ipv4Of(part)));
            }
        }
        return found;
    }

    private static IPAddressSeqRange block(String cidr) {
        return new IPAddressString(cidr).getAddress().toPrefixBlock().toSequentialRange();
    }

    private static IPAddressSeqRange between(String lower, String upper) {
        IPAddress low = new IPAddressString(lower).getAddress();
        return low.toSequentialRange(new IPAddressString(upper).getAddress());
    }
}
