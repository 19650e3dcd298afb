package io.portflux.scan.space;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import inet.ipaddr.IPAddressSeqRange;
import io.portflux.target.TargetEntry;
import io.portflux.target.TargetSpec;
import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class HostSpaceTests {

    /** Parses comma-separated entries into ranges with the target parser (no names, no lookups). */
    static List<IPAddressSeqRange> ranges(String entries) {
        if (entries.isBlank()) {
            return List.of();
        }
        return Arrays.stream(entries.split(","))
                .map(String::strip)
                .map(TargetSpec::parseEntry)
                .map(entry -> ((TargetEntry.Block) entry).range())
                .collect(Collectors.toList());
    }

    static HostSpace space(String includes, String excludes) {
        return HostSpace.of(ranges(includes), ranges(excludes));
    }

    static List<String> addresses(HostSpace space) {
        List<String> result = new ArrayList<>();
        for (long i = 0; i < space.size().longValueExact(); i++) {
            result.add(space.addressAt(i).getHostAddress());
        }
        return result;
    }

    @Test
    void singleAddress() throws Exception {
        HostSpace space = space("127.0.0.1", "");
        assertThat(space.size()).isEqualTo(BigInteger.ONE);
        assertThat(space.addressAt(0)).isEqualTo(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}));
        assertThat(space.isEmpty()).isFalse();
    }

    @Test
    void mergesOverlappingAndAdjacentIncludes() {
        HostSpace space = space("127.0.0.1-10, 127.0.0.5-15, 127.0.0.16, 127.0.0.3", "");
        assertThat(space.size()).isEqualTo(BigInteger.valueOf(16));
        assertThat(space.ranges()).hasSize(1);
        assertThat(addresses(space)).doesNotHaveDuplicates().first().isEqualTo("127.0.0.1");
        assertThat(addresses(space)).last().isEqualTo("127.0.0.16");
    }

    @Test
    void subtractsExclusions() {
        HostSpace space = space("127.0.0.0/29", "127.0.0.0, 127.0.0.3-4, 127.0.0.7, 10.0.0.0/8, ::1");
        assertThat(addresses(space)).containsExactly("127.0.0.1", "127.0.0.2", "127.0.0.5", "127.0.0.6");
        assertThat(space.ranges()).hasSize(2);
    }

    @Test
    void exclusionCoveringEverythingLeavesAnEmptySpace() {
        HostSpace space = space("127.0.0.1-20", "127.0.0.0/24");
        assertThat(space.isEmpty()).isTrue();
        assertThat(space.size()).isEqualTo(BigInteger.ZERO);
        assertThat(space.ranges()).isEmpty();
        assertThatThrownBy(() -> space.addressAt(0)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void exclusionOrderDoesNotMatter() {
        HostSpace a = space("127.0.0.0/24, 127.0.1.0/24", "127.0.0.128/25, 127.0.1.0-127.0.1.10");
        HostSpace b = space("127.0.1.0/24, 127.0.0.0/24", "127.0.1.0-127.0.1.10, 127.0.0.128/25");
        HostSpace c = space("127.0.0.0-127.0.1.255", "127.0.0.128/25,127.0.1.0-10");
        assertThat(a).isEqualTo(b).isEqualTo(c);
        assertThat(a.size()).isEqualTo(BigInteger.valueOf(128 + 256 - 11));
    }

    @Test
    void ordersIpv4BeforeIpv6Ascending() {
        HostSpace space = space("::2, 127.0.0.9, ::1, 127.0.0.2, 10.0.0.1", "");
        assertThat(addresses(space)).containsExactly("10.0.0.1", "127.0.0.2", "127.0.0.9", "0:0:0:0:0:0:0:1", "0:0:0:0:0:0:0:2");
        assertThat(space.addressAt(2)).isInstanceOf(Inet4Address.class);
        assertThat(space.addressAt(3)).isInstanceOf(Inet6Address.class);
    }

    @Test
    void ipv6Slash64HasTwoToThe64Addresses() {
        HostSpace space = space("2001:db8::/64, 127.0.0.0/8", "");
        BigInteger expected = BigInteger.ONE.shiftLeft(64).add(BigInteger.ONE.shiftLeft(24));
        assertThat(space.size()).isEqualTo(expected);
        assertThat(space.addressAt((1L << 24) - 1).getHostAddress()).isEqualTo("127.255.255.255");
        assertThat(space.addressAt(1L << 24).getHostAddress()).isEqualTo("2001:db8:0:0:0:0:0:0");
        assertThat(space.addressAt((1L << 24) + 0x1_0203_0405L).getHostAddress()).isEqualTo("2001:db8:0:0:0:1:203:405");
        assertThat(space.addressAt(Long.MAX_VALUE - 1).getHostAddress())
                .isEqualTo("2001:db8:0:0:7fff:ffff:feff:fffe");
    }

    @Test
    void wholeIpv6SpaceDoesNotOverflow() {
        HostSpace space = space("::/0, 0.0.0.0/0", "");
        assertThat(space.size()).isEqualTo(BigInteger.ONE.shiftLeft(128).add(BigInteger.ONE.shiftLeft(32)));
        assertThat(space.addressAt(0).getHostAddress()).isEqualTo("0.0.0.0");
        assertThat(space.addressAt(1L << 32).getHostAddress()).isEqualTo("0:0:0:0:0:0:0:0");
    }

    @Test
    void addressAtCarriesAcrossOctets() {
        HostSpace space = space("127.0.0.250-127.0.2.5", "");
        assertThat(space.addressAt(5).getHostAddress()).isEqualTo("127.0.0.255");
        assertThat(space.addressAt(6).getHostAddress()).isEqualTo("127.0.1.0");
        assertThat(space.addressAt(6 + 256).getHostAddress()).isEqualTo("127.0.2.0");
        assertThat(space.size()).isEqualTo(BigInteger.valueOf(6 + 256 + 6));
    }

    @Test
    void addressAtWalksEveryRangeInOrder() {
        HostSpace space = space("127.0.0.1-3, 127.0.0.10-11, 127.0.0.20, 127.0.0.30-32", "127.0.0.31");
        assertThat(addresses(space))
                .containsExactly("127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.10", "127.0.0.11", "127.0.0.20", "127.0.0.30", "127.0.0.32");
    }

    @Test
    void rejectsIndexesOutOfBounds() {
        HostSpace space = space("127.0.0.1-4", "");
        assertThatThrownBy(() -> space.addressAt(-1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> space.addressAt(4)).isInstanceOf(IndexOutOfBoundsException.class);
    }
}
