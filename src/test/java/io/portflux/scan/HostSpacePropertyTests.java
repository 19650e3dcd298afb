package io.portflux.scan;

import static org.assertj.core.api.Assertions.assertThat;

import inet.ipaddr.IPAddressSeqRange;
import inet.ipaddr.ipv4.IPv4Address;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class HostSpacePropertyTests {

    /** Small ranges inside 127.0.0.0/24 so that a brute-force set is cheap to compare with. */
    @Provide
    Arbitrary<List<int[]>> rangeLists() {
        Arbitrary<int[]> range = Combinators.combine(
                        Arbitraries.integers().between(0, 255), Arbitraries.integers().between(0, 20))
                .as((start, length) -> new int[] {start, Math.min(255, start + length)});
        return range.list().ofMaxSize(8);
    }

    private static IPAddressSeqRange toRange(int[] bounds) {
        return new IPv4Address(new byte[] {127, 0, 0, (byte) bounds[0]})
                .toSequentialRange(new IPv4Address(new byte[] {127, 0, 0, (byte) bounds[1]}));
    }

    private static List<IPAddressSeqRange> toRanges(List<int[]> bounds) {
        return bounds.stream().map(HostSpacePropertyTests::toRange).toList();
    }

    @Property(tries = 300)
    void exclusionsDoNotDependOnOrder(
            @ForAll("rangeLists") List<int[]> includes, @ForAll("rangeLists") List<int[]> excludes, @ForAll long seed) {
        HostSpace original = HostSpace.of(toRanges(includes), toRanges(excludes));
        List<IPAddressSeqRange> shuffledIncludes = new ArrayList<>(toRanges(includes));
        List<IPAddressSeqRange> shuffledExcludes = new ArrayList<>(toRanges(excludes));
        Random random = new Random(seed);
        Collections.shuffle(shuffledIncludes, random);
        Collections.shuffle(shuffledExcludes, random);
        HostSpace shuffled = HostSpace.of(shuffledIncludes, shuffledExcludes);
        assertThat(shuffled).isEqualTo(original);
        assertThat(shuffled.size()).isEqualTo(original.size());
    }

    @Property(tries = 300)
    void matchesBruteForceSetDifference(
            @ForAll("rangeLists") List<int[]> includes, @ForAll("rangeLists") List<int[]> excludes) {
        TreeSet<Integer> expected = new TreeSet<>();
        includes.forEach(r -> { for (int i = r[0]; i <= r[1]; i++) expected.add(i); });
        excludes.forEach(r -> { for (int i = r[0]; i <= r[1]; i++) expected.remove(i); });

        HostSpace space = HostSpace.of(toRanges(includes), toRanges(excludes));

        assertThat(space.size()).isEqualTo(BigInteger.valueOf(expected.size()));
        List<Integer> actual = new ArrayList<>();
        for (long i = 0; i < expected.size(); i++) {
            byte[] bytes = space.addressAt(i).getAddress();
            assertThat(bytes).startsWith(127, 0, 0);
            actual.add(bytes[3] & 0xff);
        }
        assertThat(actual).containsExactlyElementsOf(expected);
    }
}
