package io.portflux.target;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import inet.ipaddr.IPAddressSeqRange;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AddressBlocksTests {

    private static IPAddressSeqRange range(String entry) {
        return ((TargetEntry.Block) TargetSpec.parseEntry(entry)).range();
    }

    private static InetAddress address(int... bytes) throws Exception {
        byte[] raw = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            raw[i] = (byte) bytes[i];
        }
        return InetAddress.getByAddress(raw);
    }

    @Test
    void defaultPermitsLoopbackOnly() throws Exception {
        AddressBlocks allow = AddressBlocks.loopback();
        assertThat(allow.contains(range("127.0.0.0/8"))).isTrue();
        assertThat(allow.contains(range("127.255.255.255"))).isTrue();
        assertThat(allow.contains(range("::1"))).isTrue();
        assertThat(allow.contains(range("126.255.255.255-127.0.0.5"))).isFalse();
        assertThat(allow.contains(range("127.0.0.0/7"))).isFalse();
        assertThat(allow.contains(range("10.0.0.0/8"))).isFalse();
        assertThat(allow.contains(range("0.0.0.0/0"))).isFalse();
        assertThat(allow.contains(range("::/0"))).isFalse();
        assertThat(allow.contains(range("::1/127"))).isFalse();
        assertThat(allow.contains(range("::ffff:127.0.0.1"))).isFalse();
        assertThat(allow.contains(address(127, 0, 0, 1))).isTrue();
        assertThat(allow.contains(address(128, 0, 0, 1))).isFalse();
        assertThat(allow.contains(address(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1))).isTrue();
        assertThat(allow.contains(address(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2))).isFalse();
        assertThat(allow.contains(Inet6Address.getByAddress(null, new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 1)))
                .isTrue();
    }

    @Test
    void permitsARangeStraddlingAdjacentBlocks() {
        AddressBlocks allow = AddressBlocks.of("allow-list", List.of("127.0.0.0/25", "127.0.0.128/25"));
        assertThat(allow.contains(range("127.0.0.100-127.0.0.200"))).isTrue();
        assertThat(allow.contains(range("127.0.0.0/24"))).isTrue();
        assertThat(allow.ranges()).hasSize(1);
    }

    @Test
    void refusesARangeAcrossAGap() {
        AddressBlocks allow = AddressBlocks.of("allow-list", List.of("127.0.0.0/25,127.0.0.130/31"));
        assertThat(allow.contains(range("127.0.0.120-127.0.0.131"))).isFalse();
        assertThat(allow.contains(range("127.0.0.130-131"))).isTrue();
    }

    @Test
    void parsesCommaListsWithBlanksAndSingleAddresses() throws Exception {
        AddressBlocks allow = AddressBlocks.of("allow-list", List.of(" 127.0.0.1 , ,", "::1", "127.0.0.5/30"));
        assertThat(allow.contains(address(127, 0, 0, 1))).isTrue();
        assertThat(allow.contains(address(127, 0, 0, 2))).isFalse();
        assertThat(allow.contains(range("127.0.0.4-7"))).isTrue();
        assertThat(allow.contains(range("127.0.0.4-8"))).isFalse();
    }

    @Test
    void emptyPermitsNothing() throws Exception {
        AddressBlocks allow = AddressBlocks.of("allow-list", List.of());
        assertThat(allow.contains(address(127, 0, 0, 1))).isFalse();
        assertThat(allow.contains(range("::1"))).isFalse();
    }

    @Test
    void anEverythingListPermitsEverything() throws Exception {
        AddressBlocks allow = AddressBlocks.of("allow-list", List.of("0.0.0.0/0,::/0"));
        assertThat(allow.contains(range("0.0.0.0/0"))).isTrue();
        assertThat(allow.contains(range("2001:db8::/32"))).isTrue();
        assertThat(allow.contains(address(8, 8, 8, 8))).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.0/33", "localhost", "127.1", "10.0.0.0/255.0.0.0", "*", "127.0.0.1-5", "fe80::1%eth0"})
    void rejectsInvalidEntriesNamingThem(String entry) {
        assertThatThrownBy(() -> AddressBlocks.of("allow-list", List.of("127.0.0.0/8", "::1," + entry)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + entry + "'");
    }
}
