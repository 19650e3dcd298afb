package io.portflux.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.BitSet;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class PermutationTests {

    private static void assertBijection(Permutation permutation) {
        int n = Math.toIntExact(permutation.size());
        BitSet seen = new BitSet(n);
        for (long position = 0; position < n; position++) {
            long index = permutation.at(position);
            assertThat(index).isBetween(0L, n - 1L);
            assertThat(seen.get((int) index)).as("index %d visited twice", index).isFalse();
            seen.set((int) index);
        }
        assertThat(seen.cardinality()).isEqualTo(n);
    }

    @Property(tries = 200)
    void randomIsABijectionOnSmallSpaces(@ForAll @IntRange(min = 0, max = 5000) int n, @ForAll long seed) {
        assertBijection(Permutation.random(n, seed));
    }

    @Property(tries = 50)
    void sequentialIsTheIdentity(@ForAll @IntRange(min = 0, max = 3000) int n) {
        Permutation permutation = Permutation.sequential(n);
        assertThat(permutation.size()).isEqualTo(n);
        for (long position = 0; position < n; position++) {
            assertThat(permutation.at(position)).isEqualTo(position);
        }
    }

    @Property(tries = 30)
    void randomMapsSamplesOfLargeSpacesIntoRangeWithoutCollisions(
            @ForAll @LongRange(min = 1L << 20, max = 1L << 42) long n, @ForAll long seed) {
        Permutation permutation = Permutation.random(n, seed);
        SplittableRandom positions = new SplittableRandom(seed);
        Set<Long> samples = new HashSet<>();
        Set<Long> images = new HashSet<>();
        while (samples.size() < 20_000) {
            long position = positions.nextLong(n);
            if (samples.add(position)) {
                long index = permutation.at(position);
                assertThat(index).isBetween(0L, n - 1);
                assertThat(images.add(index)).as("collision at position %d", position).isTrue();
            }
        }
    }

    @Property(tries = 100)
    void sameSeedGivesTheSameOrder(@ForAll @LongRange(min = 1, max = 1L << 40) long n, @ForAll long seed) {
        Permutation first = Permutation.random(n, seed);
        Permutation second = Permutation.random(n, seed);
        SplittableRandom positions = new SplittableRandom(seed ^ n);
        for (int i = 0; i < 200; i++) {
            long position = positions.nextLong(n);
            assertThat(second.at(position)).isEqualTo(first.at(position));
        }
    }

    @Property(tries = 200)
    void differentSeedsGiveDifferentOrders(
            @ForAll @IntRange(min = 100, max = 100_000) int n, @ForAll long seed, @ForAll long otherSeed) {
        if (seed == otherSeed) {
            return;
        }
        Permutation first = Permutation.random(n, seed);
        Permutation second = Permutation.random(n, otherSeed);
        int same = 0;
        for (long position = 0; position < 100; position++) {
            if (first.at(position) == second.at(position)) {
                same++;
            }
        }
        // Two independent orders of at least 100 elements agree on ~1 of 100 positions on average.
        assertThat(same).isLessThan(20);
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
