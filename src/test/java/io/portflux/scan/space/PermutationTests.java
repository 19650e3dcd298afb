package io.portflux.scan.space;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Unit tests and property tests for {@link Permutation}.
 *
 * <p>The property tests are plain JUnit parameterized tests: each property runs over a fixed,
 * deterministic list of cases, drawn from a {@link SplittableRandom} with a constant seed plus
 * hand-picked edge cases (empty and tiny spaces, sizes either side of a power of two, extreme
 * seeds). Every case prints its size and seed in its display name and in assertion messages, so a
 * failure can be reproduced with {@code Permutation.random(n, seed)}.
 */
class PermutationTests {

    /** Seed of the case generators; change it locally to explore other cases. */
    private static final long CASES_SEED = 0x5EED_2024_0001L;

    /** Seeds that tend to expose weak key schedules. */
    private static final long[] EDGE_SEEDS = {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, 0x9E3779B97F4A7C15L};

    record SizeAndSeed(long n, long seed) {
        @Override
        public String toString() {
            return "n=" + n + ", seed=" + seed + "L";
        }
    }

    record SizeAndSeeds(long n, long seed, long otherSeed) {
        @Override
        public String toString() {
            return "n=" + n + ", seed=" + seed + "L, otherSeed=" + otherSeed + "L";
        }
    }

    /** Sizes in [min, max] that matter to the Feistel domain: 0..5, and 2^k - 1, 2^k, 2^k + 1. */
    private static List<Long> edgeSizes(long min, long max) {
        List<Long> sizes = new ArrayList<>();
        for (long n = 0; n <= 5; n++) {
            sizes.add(n);
        }
        for (int k = 2; k < 63; k++) {
            sizes.add((1L << k) - 1);
            sizes.add(1L << k);
            sizes.add((1L << k) + 1);
        }
        sizes.add(min);
        sizes.add(max);
        return sizes.stream().filter(n -> n >= min && n <= max).distinct().sorted().toList();
    }

    /**
     * Edge sizes with random seeds, edge seeds with random sizes, then {@code randomCases} random
     * (size, seed) pairs; sizes are uniform in [min, max] or, for every other case, log-uniform so
     * that small and large magnitudes are both well covered.
     */
    private static List<SizeAndSeed> sizeAndSeedCases(long salt, long min, long max, int randomCases) {
        SplittableRandom random = new SplittableRandom(CASES_SEED ^ salt);
        List<SizeAndSeed> cases = new ArrayList<>();
        for (long n : edgeSizes(min, max)) {
            cases.add(new SizeAndSeed(n, random.nextLong()));
        }
        for (long seed : EDGE_SEEDS) {
            cases.add(new SizeAndSeed(randomSize(random, min, max, false), seed));
        }
        for (int i = 0; i < randomCases; i++) {
            cases.add(new SizeAndSeed(randomSize(random, min, max, i % 2 == 1), random.nextLong()));
        }
        return cases;
    }

    private static long randomSize(SplittableRandom random, long min, long max, boolean logUniform) {
        if (!logUniform) {
            return random.nextLong(min, max + 1);
        }
        int minBits = 64 - Long.numberOfLeadingZeros(min);
        int maxBits = 64 - Long.numberOfLeadingZeros(max);
        int bits = random.nextInt(minBits, maxBits + 1);
        long low = bits == 0 ? 0 : 1L << (bits - 1);
        long high = bits == 0 ? 0 : (bits == 63 ? Long.MAX_VALUE : (1L << bits) - 1);
        return random.nextLong(Math.max(min, low), Math.min(max, high) + 1);
    }

    private static void assertBijection(Permutation permutation) {
        int n = Math.toIntExact(permutation.size());
        BitSet seen = new BitSet(n);
        for (long position = 0; position < n; position++) {
            long index = permutation.at(position);
            assertThat(index).as("%s: at(%d)", permutation, position).isBetween(0L, n - 1L);
            assertThat(seen.get((int) index))
                    .as("%s: index %d visited twice (second time at position %d)", permutation, index, position)
                    .isFalse();
            seen.set((int) index);
        }
        assertThat(seen.cardinality()).as("%s: indexes visited", permutation).isEqualTo(n);
    }

    // --- Bijection on every position, n in [0, 5000] -------------------------------------------

    static List<SizeAndSeed> smallSpaces() {
        return sizeAndSeedCases(1, 0, 5000, 200);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("smallSpaces")
    void randomIsABijectionOnSmallSpaces(SizeAndSeed c) {
        assertBijection(Permutation.random(c.n(), c.seed()));
    }

    // --- Sequential is the identity, n in [0, 3000] --------------------------------------------

    static List<Long> sequentialSizes() {
        SplittableRandom random = new SplittableRandom(CASES_SEED ^ 2);
        List<Long> sizes = new ArrayList<>(edgeSizes(0, 3000));
        for (int i = 0; i < 50; i++) {
            sizes.add(random.nextLong(0, 3001));
        }
        return sizes;
    }

    @ParameterizedTest(name = "[{index}] n={0}")
    @MethodSource("sequentialSizes")
    void sequentialIsTheIdentity(long n) {
        Permutation permutation = Permutation.sequential(n);
        assertThat(permutation.size()).isEqualTo(n);
        for (long position = 0; position < n; position++) {
            assertThat(permutation.at(position)).as("n=%d: at(%d)", n, position).isEqualTo(position);
        }
    }

    // --- Sampled range and collision check, n in [2^20, 2^42] ----------------------------------

    static List<SizeAndSeed> largeSpaces() {
        return sizeAndSeedCases(3, 1L << 20, 1L << 42, 30);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("largeSpaces")
    void randomMapsSamplesOfLargeSpacesIntoRangeWithoutCollisions(SizeAndSeed c) {
        long n = c.n();
        Permutation permutation = Permutation.random(n, c.seed());
        SplittableRandom positions = new SplittableRandom(c.seed());
        Set<Long> samples = new HashSet<>();
        Set<Long> images = new HashSet<>();
        // The first and last positions, then distinct random ones.
        for (long position : new long[] {0, 1, n - 2, n - 1}) {
            samples.add(position);
            long index = permutation.at(position);
            assertThat(index).as("%s: at(%d)", c, position).isBetween(0L, n - 1);
            assertThat(images.add(index)).as("%s: collision at position %d", c, position).isTrue();
        }
        while (samples.size() < 20_000) {
            long position = positions.nextLong(n);
            if (samples.add(position)) {
                long index = permutation.at(position);
                assertThat(index).as("%s: at(%d)", c, position).isBetween(0L, n - 1);
                assertThat(images.add(index)).as("%s: collision at position %d", c, position).isTrue();
            }
        }
    }

    // --- Same seed, same order, n in [1, 2^40] -------------------------------------------------

    static List<SizeAndSeed> sameSeedCases() {
        return sizeAndSeedCases(4, 1, 1L << 40, 100);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("sameSeedCases")
    void sameSeedGivesTheSameOrder(SizeAndSeed c) {
        long n = c.n();
        Permutation first = Permutation.random(n, c.seed());
        Permutation second = Permutation.random(n, c.seed());
        SplittableRandom positions = new SplittableRandom(c.seed() ^ n);
        for (int i = 0; i < 200; i++) {
            long position = positions.nextLong(n);
            assertThat(second.at(position)).as("%s: at(%d)", c, position).isEqualTo(first.at(position));
        }
    }

    // --- Different seeds, different orders, n in [100, 100000] ---------------------------------

    static List<SizeAndSeeds> differentSeedCases() {
        SplittableRandom random = new SplittableRandom(CASES_SEED ^ 5);
        List<SizeAndSeeds> cases = new ArrayList<>();
        for (long n : edgeSizes(100, 100_000)) {
            cases.add(new SizeAndSeeds(n, random.nextLong(), random.nextLong()));
        }
        // Seeds that differ in a single bit, or are edge values, must still give unrelated orders.
        for (long seed : EDGE_SEEDS) {
            long n = random.nextLong(100, 100_001);
            cases.add(new SizeAndSeeds(n, seed, seed + 1));
            cases.add(new SizeAndSeeds(n, seed, seed ^ Long.MIN_VALUE));
            cases.add(new SizeAndSeeds(n, seed, ~seed));
        }
        for (int i = 0; i < 200; i++) {
            long n = randomSize(random, 100, 100_000, i % 2 == 1);
            long seed = random.nextLong();
            long otherSeed = random.nextLong();
            cases.add(new SizeAndSeeds(n, seed, otherSeed == seed ? ~seed : otherSeed));
        }
        return cases;
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("differentSeedCases")
    void differentSeedsGiveDifferentOrders(SizeAndSeeds c) {
        assertThat(c.otherSeed()).isNotEqualTo(c.seed());
        Permutation first = Permutation.random(c.n(), c.seed());
        Permutation second = Permutation.random(c.n(), c.otherSeed());
        int same = 0;
        for (long position = 0; position < 100; position++) {
            if (first.at(position) == second.at(position)) {
                same++;
            }
        }
        // Two independent orders of at least 100 elements agree on ~1 of 100 positions on average.
        assertThat(same).as("%s: positions in 0..99 where the orders agree", c).isLessThan(20);
    }

    @Test
    void randomIsNotTheIdentity() {
        Permutation permutation = Permutation.random(65_535, 42);
        long fixedPoints = 0;
        for (long position = 0; position < 65_535; position++) {
            if (permutation.at(position) == position) {
                fixedPoints++;
            }
        }
        assertThat(fixedPoints).isLessThan(50);
    }

    @Test
    void randomSpreadsConsecutivePositions() {
        // The first 1% of a scan of 0..65534 should touch every tenth of the space, not one corner.
        Permutation permutation = Permutation.random(65_535, 7);
        BitSet tenths = new BitSet(10);
        for (long position = 0; position < 655; position++) {
            tenths.set((int) (permutation.at(position) * 10 / 65_535));
        }
        assertThat(tenths.cardinality()).isEqualTo(10);
    }

    @Test
    void handlesEmptyAndSingletonSpaces() {
        for (Permutation empty : new Permutation[] {Permutation.random(0, 1), Permutation.sequential(0)}) {
            assertThat(empty.size()).isZero();
            assertThatThrownBy(() -> empty.at(0)).isInstanceOf(IndexOutOfBoundsException.class);
        }
        for (Permutation single : new Permutation[] {Permutation.random(1, 1), Permutation.sequential(1)}) {
            assertThat(single.size()).isOne();
            assertThat(single.at(0)).isZero();
            assertThatThrownBy(() -> single.at(1)).isInstanceOf(IndexOutOfBoundsException.class);
        }
        assertBijection(Permutation.random(2, 99));
        assertBijection(Permutation.random(3, 99));
    }

    @Test
    void rejectsBadSizesAndPositions() {
        assertThatThrownBy(() -> Permutation.random(-1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Permutation.sequential(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Permutation.random(Permutation.MAX_SIZE + 1, 0))
                .isInstanceOf(IllegalArgumentException.class);
        Permutation permutation = Permutation.random(10, 0);
        assertThatThrownBy(() -> permutation.at(-1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> permutation.at(10)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void supportsTheLargestSize() {
        Permutation permutation = Permutation.random(Permutation.MAX_SIZE, 5);
        assertThat(permutation.at(Permutation.MAX_SIZE - 1)).isBetween(0L, Permutation.MAX_SIZE - 1);
        assertThat(permutation.at(0)).isNotEqualTo(permutation.at(1));
    }
}
