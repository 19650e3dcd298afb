package io.portflux.target;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import inet.ipaddr.IPAddressSeqRange;
import inet.ipaddr.IPAddressString;
import io.portflux.port.PortList;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TargetPolicyTests {

    /** Allows everything, so that only the deny-list (built-in or configured) can refuse. */
    private static final TargetPolicy EVERYTHING = TargetPolicy.of(List.of("0.0.0.0/0", "::/0"), List.of(), List.of());

    private static IPAddressSeqRange range(String entry) {
        return ((TargetEntry.Block) TargetSpec.parseEntry(entry)).range();
    }

    private static InetAddress address(String literal) throws Exception {
        return InetAddress.getByAddress(new IPAddressString(literal).getAddress().getBytes());
    }

    @ParameterizedTest
    @ValueSource(strings = {"169.254.169.254", "169.254.0.1", "fd00:ec2::254", "fe80::1", "224.0.0.1", "239.255.255.250",
            "255.255.255.255", "0.0.0.0", "0.1.2.3", "::", "ff02::1"})
    void theBuiltInDenyListHoldsEvenWhenEverythingIsAllowed(String target) {
        assertThat(EVERYTHING.refusal(range(target))).hasValueSatisfying(why -> assertThat(why).startsWith("touches the denied block"));
    }

    @Test
    void configurationAddsToTheBuiltInDenyListButCannotRemoveIt() {
        // An operator cannot "deny nothing": an empty deny list still carries the built-ins.
        TargetPolicy emptyDeny = TargetPolicy.of(List.of("0.0.0.0/0", "::/0"), List.of(""), List.of());
        assertThat(emptyDeny.refusal(range("169.254.169.254"))).isPresent();
        TargetPolicy more = TargetPolicy.of(List.of("0.0.0.0/0"), List.of("10.0.0.0/8"), List.of());
        assertThat(more.refusal(range("10.1.2.3"))).hasValue("touches the denied block 10.0.0.0/8");
        assertThat(more.refusal(range("169.254.169.254"))).hasValue("touches the denied block 169.254.0.0/16");
        assertThat(more.refusal(range("8.8.8.8"))).isEmpty();
        assertThat(more.denied()).extracting(TargetPolicy::describe).contains("169.254.0.0/16", "10.0.0.0/8", "fe80::/10");
    }

    @Test
    void denyWinsOverAnAllowThatNamesTheSameBlock() {
        TargetPolicy policy = TargetPolicy.of(List.of("169.254.169.254/32", "127.0.0.0/8"), List.of("127.0.0.53"), List.of());
        assertThat(policy.refusal(range("169.254.169.254"))).hasValue("touches the denied block 169.254.0.0/16");
        assertThat(policy.refusal(range("127.0.0.53"))).hasValue("touches the denied block 127.0.0.53");
        assertThat(policy.refusal(range("127.0.0.52"))).isEmpty();
    }

    @Test
    void rangesAreJudgedAsWholesNeverTrimmed() {
        assertThat(EVERYTHING.refusal(range("169.254.0.0/15"))).hasValue("touches the denied block 169.254.0.0/16");
        assertThat(EVERYTHING.refusal(range("169.254.169.250-169.254.169.255"))).isPresent();
        assertThat(EVERYTHING.refusal(range("169.253.255.255-169.254.0.0"))).isPresent();
        assertThat(EVERYTHING.refusal(range("169.253.0.0/16"))).isEmpty();
        assertThat(EVERYTHING.refusal(range("0.0.0.0/0"))).isPresent();
        assertThat(EVERYTHING.refusal(range("fe00::/7"))).isPresent();
        TargetPolicy loopback = TargetPolicy.loopback();
        assertThat(loopback.refusal(range("127.0.0.0/7"))).hasValue("is outside the allowed targets");
        assertThat(loopback.refusal(range("127.0.0.0/8"))).isEmpty();
    }

    @Test
    void aConfiguredDenyInsideAnAllowedRangeRefusesTheWholeRange() {
        TargetPolicy policy = TargetPolicy.of(List.of("127.0.0.0/8"), List.of("127.0.0.53/32"), List.of());
        assertThat(policy.refusal(range("127.0.0.0/24"))).hasValue("touches the denied block 127.0.0.53");
        assertThat(policy.refusal(range("127.0.0.1-52"))).isEmpty();
    }

    @ParameterizedTest(name = "{0} embeds {1} ({2})")
    @CsvSource({
            "::ffff:169.254.169.254, 169.254.169.254, IPv4-mapped",
            "::ffff:a9fe:a9fe, 169.254.169.254, IPv4-mapped",
            "::ffff:0:a9fe:a9fe, 169.254.169.254, IPv4-translated",
            "::169.254.169.254, 169.254.169.254, IPv4-compatible",
            "64:ff9b::a9fe:a9fe, 169.254.169.254, NAT64",
            "2002:a9fe:a9fe::1, 169.254.169.254, 6to4",
            // Teredo: server 169.254.169.254, client 192.0.2.1 stored inverted (3fff:fdfe).
            "2001:0:a9fe:a9fe::3fff:fdfe, 169.254.169.254, Teredo server",
            // Teredo: server 192.0.2.1, client 169.254.169.254 stored inverted (5601:5601).
            "2001:0:c000:201::5601:5601, 169.254.169.254, Teredo client",
    })
    void anIpv6AddressIsAlsoJudgedByTheIpv4ItEmbeds(String ipv6, String ipv4, String form) {
        assertThat(EVERYTHING.refusal(range(ipv6)))
                .hasValue("embeds the IPv4 " + ipv4 + " (" + form + "), which touches the denied block 169.254.0.0/16");
    }

    @Test
    void anEmbeddedLoopbackNeedsBothTheIpv6FormAndTheIpv4Allowed() {
        TargetPolicy v4Only = TargetPolicy.of(List.of("127.0.0.0/8"), List.of(), List.of());
        assertThat(v4Only.refusal(range("::ffff:127.0.0.1"))).hasValue("is outside the allowed targets");
        TargetPolicy v6Only = TargetPolicy.of(List.of("::ffff:0:0/96"), List.of(), List.of());
        assertThat(v6Only.refusal(range("::ffff:127.0.0.1")))
                .hasValue("embeds the IPv4 127.0.0.1 (IPv4-mapped), which is outside the allowed targets");
        TargetPolicy both = TargetPolicy.of(List.of("::ffff:127.0.0.0/104", "127.0.0.0/8"), List.of(), List.of());
        assertThat(both.refusal(range("::ffff:127.0.0.1"))).isEmpty();
        assertThat(both.refusal(range("::ffff:128.0.0.1"))).isPresent();
        // The loopback default never admits an embedded form: ::1 is loopback itself, not 0.0.0.1.
        assertThat(TargetPolicy.loopback().refusal(range("::1"))).isEmpty();
        assertThat(TargetPolicy.loopback().refusal(range("::127.0.0.1"))).isPresent();
        assertThat(TargetPolicy.loopback().refusal(range("64:ff9b::7f00:1"))).isPresent();
    }

    @Test
    void anIpv6RangeIsJudgedByEveryIpv4ItEmbeds() {
        // No single address given, but the block reaches 169.254.169.254 through the mapped form.
        assertThat(EVERYTHING.refusal(range("::ffff:0:0/96"))).hasValueSatisfying(why -> assertThat(why).contains("IPv4-mapped"));
        assertThat(EVERYTHING.refusal(range("::ffff:a9fe:0/112"))).isPresent();
        assertThat(EVERYTHING.refusal(range("::ffff:a9fd:0/112"))).isEmpty();
        assertThat(EVERYTHING.refusal(range("64:ff9b::/96"))).isPresent();
        assertThat(EVERYTHING.refusal(range("2002::/16"))).isPresent();
        assertThat(EVERYTHING.refusal(range("2002:808:808::/48"))).isEmpty();
        // Teredo clients beyond one /96 count as all of IPv4.
        assertThat(EVERYTHING.refusal(range("2001:0:808:808::/64"))).hasValueSatisfying(why -> assertThat(why).contains("Teredo client"));
        assertThat(EVERYTHING.refusal(range("2001:db8::/32"))).isEmpty();
    }

    @Test
    void theEmbeddingBlocksAgreeWithTheLibrarysClassification() {
        for (EmbeddedIpv4.Form form : EmbeddedIpv4.Form.values()) {
            assertThat(form.libraryTest.test(form.block.getLower().toIPv6())).as("%s lower", form).isTrue();
            assertThat(form.libraryTest.test(form.block.getUpper().toIPv6())).as("%s upper", form).isTrue();
            if (form != EmbeddedIpv4.Form.COMPATIBLE) {
                assertThat(form.libraryTest.test(form.block.getLower().toIPv6().increment(-1))).as("%s below", form).isFalse();
            }
            assertThat(form.libraryTest.test(form.block.getUpper().toIPv6().increment(1))).as("%s above", form).isFalse();
        }
    }

    @Test
    void theCompatibleFormLeavesOutTheUnspecifiedAndLoopbackAddresses() {
        // The library counts :: and ::1 as IPv4-compatible; read that way ::1 would embed 0.0.0.1.
        var loopback = range("::1").getLower().toIPv6();
        assertThat(EmbeddedIpv4.Form.COMPATIBLE.libraryTest.test(loopback)).isTrue();
        assertThat(EmbeddedIpv4.Form.COMPATIBLE.block.contains(loopback)).isFalse();
        assertThat(EmbeddedIpv4.Form.COMPATIBLE.block.getLower()).isEqualTo(range("::2").getLower());
    }

    @Test
    void embeddedIpv4IsFoundOnlyInsideTheForms() {
        assertThat(EmbeddedIpv4.in(range("127.0.0.1"))).isEmpty();
        assertThat(EmbeddedIpv4.in(range("::1"))).isEmpty();
        assertThat(EmbeddedIpv4.in(range("2001:db8::1"))).isEmpty();
        assertThat(EmbeddedIpv4.in(range("::ffff:127.0.0.1")))
                .containsExactly(new EmbeddedIpv4.Found("IPv4-mapped", range("127.0.0.1")));
        assertThat(EmbeddedIpv4.in(range("2002:7f00:1::"))).containsExactly(new EmbeddedIpv4.Found("6to4", range("127.0.0.1")));
        assertThat(EmbeddedIpv4.in(range("2001:0:7f00:1::80ff:fffe"))).containsExactly(
                new EmbeddedIpv4.Found("Teredo server", range("127.0.0.1")),
                new EmbeddedIpv4.Found("Teredo client", range("127.0.0.1")));
    }

    @Test
    void resolvedAddressesAreJudgedByTheirBytes() throws Exception {
        assertThat(TargetPolicy.loopback().refusal(InetAddress.getByName("127.0.0.1"))).isEmpty();
        assertThat(EVERYTHING.refusal(address("169.254.169.254"))).isPresent();
        assertThat(EVERYTHING.refusal(address("64:ff9b::a9fe:a9fe"))).isPresent();
        // Java turns ::ffff:a.b.c.d into an Inet4Address; it is refused as what it is.
        assertThat(EVERYTHING.refusal(address("::ffff:169.254.169.254"))).isPresent();
        // A scope id takes no part: the decision is on the 16 bytes.
        InetAddress scoped = java.net.Inet6Address.getByAddress(null, address("fe80::1").getAddress(), 1);
        assertThat(EVERYTHING.refusal(scoped)).isPresent();
    }

    @Test
    void deniedPortsAreFoundInAnyPortList() {
        TargetPolicy policy = TargetPolicy.of(List.of("127.0.0.0/8"), List.of(), List.of("25", "6000-6063,10250"));
        assertThat(policy.deniedPort(PortList.parse("80,443"))).isEmpty();
        assertThat(policy.deniedPort(PortList.parse("10250"))).hasValue(10250);
        assertThat(policy.deniedPort(PortList.parse("6060-6070"))).hasValue(6060);
        assertThat(policy.deniedPort(PortList.parse("all"))).hasValue(25);
        assertThat(TargetPolicy.loopback().deniedPort(PortList.parse("all"))).isEmpty();
        // A blank entry denies nothing (PortList alone would read blank as top-1000).
        assertThat(TargetPolicy.of(List.of("127.0.0.0/8"), List.of(), List.of("", " , ")).deniedPort(PortList.parse("all"))).isEmpty();
    }

    @Test
    void invalidConfigurationIsRefusedNamingTheEntry() {
        assertThatThrownBy(() -> TargetPolicy.of(List.of("127.0.0.0/8"), List.of("169.254.1"), List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("deny-list").hasMessageContaining("'169.254.1'");
        assertThatThrownBy(() -> TargetPolicy.of(List.of("127.0.0.0/8"), List.of(), List.of("70000")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'70000'");
    }
}
