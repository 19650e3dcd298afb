package io.portflux.scan.space;

import static org.assertj.core.api.Assertions.assertThat;

import inet.ipaddr.IPAddressSeqRange;
import inet.ipaddr.ipv4.IPv4Address;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Property tests for {@link HostSpace}, as plain JUnit parameterized tests.
 *
 * <p>Each property runs over a fixed, deterministic list of cases: hand-picked edge cases, then
 * random ones drawn from a {@link SplittableRandom} with a constant seed. A case is a list of
 * include ranges and a list of exclude ranges inside 127.0.0.0/24 (small, so a brute-force set is
 * cheap to compare with); its display name and assertion messages print it in full, so a failure
 * can be reproduced by hand.
 */
class HostSpacePropertyTests {

    /** Seed of the case generator; change it locally to explore other cases. */
    private static final long CASES_SEED = 0x5EED_2024_0002L;

    private static final int RANDOM_CASES = 300;

    /** At most this many ranges in one list. */
    private static final int MAX_RANGES = 8;

    /** A case: last-octet bounds [start, end] of the includes and excludes, and a shuffle seed. */
    record Case(List<int[]> includes, List<int[]> excludes, long seed) {
        @Override
        public String toString() {
            return "includes=" + format(includes) + ", excludes=" + format(excludes) + ", seed=" + seed + "L";
        }

        private static String format(List<int[]> ranges) {
            return ranges.stream().map(r -> r[0] + "-" + r[1]).collect(Collectors.joining(",", "[", "]"));
        }
    }

    static List<Case> cases() {
        SplittableRandom random = new SplittableRandom(CASES_SEED);
        List<Case> cases = new ArrayList<>();
        List<List<int[]>> edges = List.of(
                List.of(),
                List.of(r(0, 0)),
                List.of(r(255, 255)),
                List.of(r(0, 255)),
                List.of(r(0, 127), r(128, 255)),
                List.of(r(10, 20), r(10, 20)),
                List.of(r(10, 20), r(21, 30)),
                List.of(r(10, 20), r(15, 25), r(0, 12)),
                List.of(r(5, 5), r(7, 7), r(9, 9), r(6, 6), r(8, 8)),
                List.of(r(235, 255), r(0, 20), r(100, 120), r(110, 130), r(50, 50), r(49, 51), r(0, 0), r(255, 255)));
        for (List<int[]> includes : edges) {
            for (List<int[]> excludes : edges) {
                cases.add(new Case(includes, excludes, random.nextLong()));
            }
        }
        for (int i = 0; i < RANDOM_CASES; i++) {
            cases.add(new Case(randomRanges(random), randomRanges(random), random.nextLong()));
        }
        return cases;
    }

    private static int[] r(int start, int end) {
        return new int[] {start, end};
    }

    /** Up to {@value #MAX_RANGES} ranges of up to 21 addresses; starts lean towards the ends of the octet. */
    private static List<int[]> randomRanges(SplittableRandom random) {
        int count = random.nextInt(MAX_RANGES + 1);
        List<int[]> ranges = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int start = switch (random.nextInt(10)) {
                case 0 -> 0;
                case 1 -> 255 - random.nextInt(21);
                default -> random.nextInt(256);
            };
            int length = random.nextInt(21);
            ranges.add(r(start, Math.min(255, start + length)));
        }
        return ranges;
    }

    private static IPAddressSeqRange toRange(int[] bounds) {
        return new IPv4Address(new byte[] {127, 0, 0, (byte) bounds[0]})
                .toSequentialRange(new IPv4Address(new byte[] {127, 0, 0, (byte) bounds[1]}));
    }

    private static List<IPAddressSeqRange> toRanges(List<int[]> bounds) {
        return bounds.stream().map(HostSpacePropertyTests::toRange).toList();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("cases")
    void exclusionsDoNotDependOnOrder(Case c) {
        HostSpace original = HostSpace.of(toRanges(c.includes()), toRanges(c.excludes()));

        List<IPAddressSeqRange> shuffledIncludes = new ArrayList<>(toRanges(c.includes()));
        List<IPAddressSeqRange> shuffledExcludes = new ArrayList<>(toRanges(c.excludes()));
        Random random = new Random(c.seed());
        Collections.shuffle(shuffledIncludes, random);
        Collections.shuffle(shuffledExcludes, random);
        HostSpace shuffled = HostSpace.of(shuffledIncludes, shuffledExcludes);
        assertThat(shuffled).as("%s, shuffled", c).isEqualTo(original);
        assertThat(shuffled.size()).as("%s, shuffled: size", c).isEqualTo(original.size());

        List<IPAddressSeqRange> reversedIncludes = new ArrayList<>(toRanges(c.includes()));
        List<IPAddressSeqRange> reversedExcludes = new ArrayList<>(toRanges(c.excludes()));
        Collections.reverse(reversedIncludes);
        Collections.reverse(reversedExcludes);
        HostSpace reversed = HostSpace.of(reversedIncludes, reversedExcludes);
        assertThat(reversed).as("%s, reversed", c).isEqualTo(original);
        assertThat(reversed.size()).as("%s, reversed: size", c).isEqualTo(original.size());
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("cases")
    void matchesBruteForceSetDifference(Case c) {
        TreeSet<Integer> expected = new TreeSet<>();
        c.includes().forEach(r -> { for (int i = r[0]; i <= r[1]; i++) expected.add(i); });
        c.excludes().forEach(r -> { for (int i = r[0]; i <= r[1]; i++) expected.remove(i); });

        HostSpace space = HostSpace.of(toRanges(c.includes()), toRanges(c.excludes()));

        assertThat(space.size()).as("%s: size", c).isEqualTo(BigInteger.valueOf(expected.size()));
        List<Integer> actual = new ArrayList<>();
        for (long i = 0; i < expected.size(); i++) {
            byte[] bytes = space.addressAt(i).getAddress();
            assertThat(bytes).as("%s: addressAt(%d)", c, i).startsWith(127, 0, 0);
            actual.add(bytes[3] & 0xff);
        }
        assertThat(actual).as("%s: addresses in order", c).containsExactlyElementsOf(expected);
    }
}
