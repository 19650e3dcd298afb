package io.portflux.scan;

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
}
