package io.portflux.target;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressSeqRange;
import inet.ipaddr.ipv6.IPv6Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/** AddressText writes addresses the way people read them: IPv6 in RFC 5952 compressed form. */
public final class AddressText {

    private AddressText() {}

    /** {@code 127.0.0.1}, {@code ::1}, {@code 2001:db8::1}; never a host name. */
    public static String of(InetAddress address) {
        if (address instanceof Inet6Address) {
            return new IPv6Address(address.getAddress()).toCompressedString();
        }
        return address.getHostAddress();
    }

    /** A block as people write it: {@code 127.0.0.1}, {@code 10.0.0.0/24}, or {@code 127.0.0.1-127.0.0.20}. */
    public static String of(IPAddressSeqRange range) {
        if (range.getCount().signum() > 0 && range.getLower().equals(range.getUpper())) {
            return range.getLower().toCompressedString();
        }
        IPAddress[] blocks = range.spanWithPrefixBlocks();
        if (blocks.length == 1) {
            return blocks[0].toCompressedString();
        }
        return range.getLower().toCompressedString() + "-" + range.getUpper().toCompressedString();
    }
}
