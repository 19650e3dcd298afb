package io.portflux.target;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import inet.ipaddr.IPAddressSeqRange;
import io.portflux.input.InvalidInputException;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class TargetSpecTests {

    private static IPAddressSeqRange block(String entry) {
        TargetEntry parsed = TargetSpec.parseEntry(entry);
        assertThat(parsed).isInstanceOf(TargetEntry.Block.class);
        return ((TargetEntry.Block) parsed).range();
    }

    private static void assertRange(String entry, String lower, String upper) {
        IPAddressSeqRange range = block(entry);
        assertThat(range.getLower().toCanonicalString()).isEqualTo(lower);
        assertThat(range.getUpper().toCanonicalString()).isEqualTo(upper);
    }

    @Test
    void parsesHostNames() {
        assertThat(TargetSpec.parseEntry("localhost")).isEqualTo(new TargetEntry.Host("localhost", "localhost"));
        assertThat(TargetSpec.parseEntry("Scanme.Example.ORG."))
                .isEqualTo(new TargetEntry.Host("Scanme.Example.ORG.", "scanme.example.org."));
        assertThat(TargetSpec.parseEntry("a-b.c0.example")).isInstanceOf(TargetEntry.Host.class);
        assertThat(TargetSpec.parseEntry("1.2.3.4.example")).isInstanceOf(TargetEntry.Host.class);
        assertThat(TargetSpec.parseEntry("x".repeat(63) + ".example")).isInstanceOf(TargetEntry.Host.class);
    }

    @Test
    void parsesSingleAddresses() {
        assertRange("127.0.0.1", "127.0.0.1", "127.0.0.1");
        assertRange("0.0.0.0", "0.0.0.0", "0.0.0.0");
        assertRange("::1", "::1", "::1");
        assertRange("[::1]", "::1", "::1");
        assertRange("::ffff:127.0.0.1", "::ffff:7f00:1", "::ffff:7f00:1");
        assertRange("2001:DB8::0001", "2001:db8::1", "2001:db8::1");
    }

    @Test
    void parsesCidrBlocks() {
        assertRange("127.0.0.0/24", "127.0.0.0", "127.0.0.255");
        assertRange("127.0.0.5/24", "127.0.0.0", "127.0.0.255");
        assertRange("127.0.0.1/32", "127.0.0.1", "127.0.0.1");
        assertRange("0.0.0.0/0", "0.0.0.0", "255.255.255.255");
        assertRange("::1/128", "::1", "::1");
        assertRange("[2001:db8::]/64", "2001:db8::", "2001:db8::ffff:ffff:ffff:ffff");
        assertThat(block("2001:db8::1/64").getCount()).isEqualTo(BigInteger.ONE.shiftLeft(64));
    }

    @Test
    void parsesIpv4Ranges() {
        assertRange("127.0.0.1-127.0.0.20", "127.0.0.1", "127.0.0.20");
        assertRange("127.0.0.1-20", "127.0.0.1", "127.0.0.20");
        assertRange("127.0.0.7-7", "127.0.0.7", "127.0.0.7");
        assertRange("127.0.0.250-127.0.1.3", "127.0.0.250", "127.0.1.3");
        assertRange("127.0.0.0-255", "127.0.0.0", "127.0.0.255");
        assertThat(block("127.0.0.1-20").getCount()).isEqualTo(BigInteger.valueOf(20));
    }

    @Test
    void splitsIncludesAndExclusionsTrimmingAndSkippingEmptyEntries() {
        TargetSpec spec = TargetSpec.parse(" 127.0.0.0/24 , ,!127.0.0.5,  ! 127.0.0.9-10 ,localhost,,");
        assertThat(spec.includes()).extracting(TargetEntry::spec).containsExactly("127.0.0.0/24", "localhost");
        assertThat(spec.excludes()).extracting(TargetEntry::spec).containsExactly("127.0.0.5", "127.0.0.9-10");
        assertThat(spec.includes().get(1)).isEqualTo(new TargetEntry.Host("localhost", "localhost"));
    }

    @Test
    void excludedHostNamesStayNames() {
        TargetSpec spec = TargetSpec.parse("127.0.0.1,!localhost");
        assertThat(spec.excludes()).containsExactly(new TargetEntry.Host("localhost", "localhost"));
    }

    @Test
    void recordRequiresAnInclude() {
        assertThatThrownBy(() -> new TargetSpec(List.of(), List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"   ", " , ,"})
    void rejectsMissingTargets(String targets) {
        assertThatThrownBy(() -> TargetSpec.parse(targets))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> {
                    assertThat(e.field()).isEqualTo("targets");
                    assertThat(e.getMessage()).contains("required");
                });
    }

    @Test
    void rejectsOnlyExclusions() {
        assertThatThrownBy(() -> TargetSpec.parse("!127.0.0.1, !::1"))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> {
                    assertThat(e.field()).isEqualTo("targets");
                    assertThat(e.getMessage()).contains("not an exclusion");
                });
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '"',
            value = {
                // legacy and ambiguous IPv4 spellings
                "127.1|ambiguous",
                "127.0.1|ambiguous",
                "0x7f000001|ambiguous",
                "0x7f.0.0.1|ambiguous",
                "2130706433|IPv4",
                "0177.0.0.1|IPv4",
                "012.0.0.1|IPv4",
                "127.0.0.01|IPv4",
                "127.0.0.256|octet 256 is more than 255",
                "300.0.0.1/24|octet 300 is more than 255",
                "1.2.3.4.5|IPv4",
                "127.0.0.1.|IPv4",
                // CIDR
                "127.0.0.0/33|/33 is not an IPv4 prefix length: IPv4 blocks are /0 to /32",
                "127.0.0.0/1000000|/1000000 is not an IPv4 prefix length",
                "127.0.0.0/024|IPv4",
                "127.0.0.0/|IPv4",
                "127.0.0.1/255.255.255.0|IPv4",
                "localhost/24|CIDR",
                "::1/129|/129 is not an IPv6 prefix length: IPv6 blocks are /0 to /128",
                "[::1]/200|/200 is not an IPv6 prefix length",
                "127.0.0.1-127.0.0.300|octet 300 is more than 255",
                "[::1]/|bracketed",
                // ranges
                "127.0.0.20-127.0.0.1|start is after",
                "127.0.0.20-1|start is after",
                "127.0.0.1-256|last octet",
                "127.0.0.1-020|last octet",
                "127.0.0.1-|last octet",
                "-127.0.0.1|IPv4",
                "127.0.0.1-2-3|start-end",
                "127.0.0.1-127.1|IPv4",
                "127.0.0.0/24-30|start-end",
                "::1-::2|IPv6 ranges",
                "127.0.0.*|host name",
                "*|host name",
                // IPv6
                "fe80::1%eth0|zone ids",
                "[fe80::1%25eth0]|zone ids",
                "::1%lo|zone ids",
                "[::1|bracketed",
                "[127.0.0.1]|IPv6",
                "[localhost]|IPv6",
                "1:2:3:4:5:6:7:8:9|IPv6",
                "gggg::1|IPv6",
                // host names
                "host_name.example|host name",
                "-bad.example|host name",
                "bad-.example|host name",
                "a..b|host name",
                ".example|host name",
                "exa mple|host name",
                "ex\u00e4mple.org|host name",
                "example.123|ambiguous",
                "example.0xff|ambiguous",
                // host:port and URLs: the port belongs in `ports`
                "localhost:8080|ports go in 'ports', e.g. targets=localhost&ports=8080",
                "127.0.0.1:22|ports go in 'ports', e.g. targets=127.0.0.1&ports=22",
                "[::1]:8080|ports go in 'ports', e.g. targets=[::1]&ports=8080",
                "http://localhost/|a URL is not a target",
            })
    void rejectsInvalidEntries(String entry, String problem) {
        assertThatThrownBy(() -> TargetSpec.parse("127.0.0.1, " + entry + " ,::1"))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> {
                    assertThat(e.field()).isEqualTo("targets");
                    assertThat(e.value()).isEqualTo(entry);
                    assertThat(e.getMessage()).containsIgnoringCase(problem);
                });
    }

    @Test
    void rejectsOverlongLabelsAndNames() {
        String label64 = "x".repeat(64) + ".example";
        assertThatThrownBy(() -> TargetSpec.parse(label64))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.value()).isEqualTo(label64));
        String name254 = ("a".repeat(49) + ".").repeat(5) + "abcd";
        assertThat(name254).hasSize(254);
        assertThatThrownBy(() -> TargetSpec.parse(name254)).isInstanceOf(InvalidInputException.class);
        String name253 = name254.substring(1);
        assertThat(TargetSpec.parse(name253).includes()).hasSize(1);
    }

    @Test
    void reportsAnExclusionAsWritten() {
        assertThatThrownBy(() -> TargetSpec.parse("127.0.0.1,!127.1"))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.value()).isEqualTo("!127.1"));
        assertThatThrownBy(() -> TargetSpec.parse("127.0.0.1, ! "))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> {
                    assertThat(e.value()).isEqualTo("!");
                    assertThat(e.getMessage()).contains("followed by a target");
                });
    }
}
