package io.portflux.scan.shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Property tests of the shard math, as plain JUnit parameterised tests over a fixed list of cases: hand-picked
 * edges (size 1, a size below the number of ranges, sizes that do not divide evenly, a prime, 2^62) and random
 * ones from a constant seed. Each property is checked against a brute-force model.
 *
 * <p>"Exactly once" is about verdicts: a range taken over from its watermark has the positions above the
 * watermark probed again (their first verdicts were never committed), so each position is counted, and its
 * result kept, exactly once.
 */
class ShardsPropertyTests {

    private static final long CASES_SEED = 0x5EED_2026_0013L;

    static Stream<Arguments> cuts() {
        List<Arguments> cases = new ArrayList<>();
        long[] sizes = {0, 1, 2, 3, 7, 63, 64, 65, 100, 127, 1000, 4093, 65535, 524_280, 1L << 40, 1L << 62};
        int[] ranges = {1, 2, 3, 5, 7, 63, 64, 65, 100, 1000};
        for (long size : sizes) {
            for (int n : ranges) {
                cases.add(Arguments.of(size, n));
            }
        }
        SplittableRandom random = new SplittableRandom(CASES_SEED);
        for (int i = 0; i < 200; i++) {
            cases.add(Arguments.of(random.nextLong(1, 1_000_000), random.nextInt(1, 300)));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "size={0}, ranges={1}")
    @MethodSource("cuts")
    void aCutCoversEveryPositionOnceInContiguousBalancedNonEmptyRanges(long size, int ranges) {
        List<IndexRange> cut = Shards.cut(size, ranges);

        assertThat(cut).hasSize((int) Math.min(ranges, Math.max(1, size)));
        assertThat(cut.get(0).from()).isZero();
        assertThat(cut.get(cut.size() - 1).to()).isEqualTo(size);
        long smallest = Long.MAX_VALUE;
        long largest = 0;
        long covered = 0;
        for (int i = 0; i < cut.size(); i++) {
            IndexRange r = cut.get(i);
            if (i > 0) {
                assertThat(r.from()).as("range %d starts where %d ends", i, i - 1).isEqualTo(cut.get(i - 1).to());
            }
            if (size > 0) {
                assertThat(r.size()).as("range %d is not empty", i).isPositive();
            }
            smallest = Math.min(smallest, r.size());
            largest = Math.max(largest, r.size());
            covered += r.size();
        }
        assertThat(covered).isEqualTo(size);
        assertThat(largest - smallest).as("balanced").isLessThanOrEqualTo(1);
    }

    @Test
    void aCutIsRefusedNothingToCutInto() {
        assertThatThrownBy(() -> Shards.cut(10, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Shards.cut(-1, 4)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aScanWideRateIsSharedAndNeverExceeded() {
        assertThat(Shards.rateShare(null, 3, 2)).isNull();
        assertThat(Shards.rateShare(6000, 3, 2)).isEqualTo(1000);
        assertThat(Shards.rateShare(1000, 3, 1)).isEqualTo(333);
        assertThat(Shards.rateShare(2, 3, 2)).isEqualTo(1);
        assertThat(Shards.rateShare(1000, 0, 0)).isEqualTo(1000);
    }

    static Stream<Arguments> trackers() {
        List<Arguments> cases = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(CASES_SEED + 1);
        long[][] edges = {{0, 1, 1}, {0, 1, 4}, {5, 6, 3}, {0, 3, 8}, {10, 17, 2}, {0, 5000, 1}, {0, 5000, 7},
            {100, 4197, 4}};
        for (long[] e : edges) {
            cases.add(Arguments.of(e[0], e[1], (int) e[2], random.nextLong()));
        }
        for (int i = 0; i < 150; i++) {
            long from = random.nextLong(0, 1000);
            long size = random.nextLong(1, 6000);
            cases.add(Arguments.of(from, from + size, random.nextInt(1, 12), random.nextLong()));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "[{0}, {1}) stripes={2} seed={3}L")
    @MethodSource("trackers")
    void theWatermarkIsTheFirstPositionWithoutAVerdictAndItsCountsAreThoseBelowIt(long from, long to, int stripes,
            long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        IndexRange range = new IndexRange(from, to);
        CompletionTracker tracker = new CompletionTracker(range, stripes);
        int size = (int) range.size();
        byte[] verdicts = new byte[size];
        // Finish positions out of order: a window of up to `spread` positions ahead of the oldest pending one,
        // some of them reported (done only once delivered).
        int spread = 1 + random.nextInt(Math.max(1, size / 3 + 1));
        List<Long> order = outOfOrder(from, to, spread, random);
        List<Object> undelivered = new ArrayList<>();
        long lastWatermark = from;
        for (long position : order) {
            byte code = (byte) (1 + random.nextInt(4));
            verdicts[(int) (position - from)] = code;
            if (random.nextInt(5) == 0) {
                Object event = "event at " + position;
                tracker.awaitDelivery(event, position, code);
                undelivered.add(event);
            } else {
                tracker.complete(position, code);
            }
            if (!undelivered.isEmpty() && random.nextInt(3) == 0) {
                assertThat(tracker.delivered(undelivered.remove(random.nextInt(undelivered.size())))).isTrue();
            }
            if (random.nextInt(50) == 0) {
                lastWatermark = check(tracker, verdicts, from, lastWatermark, undelivered);
            }
        }
        undelivered.forEach(event -> assertThat(tracker.delivered(event)).isTrue());
        assertThat(tracker.delivered("never awaited")).isFalse();
        undelivered.clear();
        Checkpoint end = tracker.checkpoint();
        assertThat(end.watermark()).isEqualTo(to);
        assertThat(end.scanned()).isEqualTo(size);
        check(tracker, verdicts, from, end.watermark(), undelivered);
    }

    // Compares a checkpoint with the model: the first position that is pending (no verdict, or undelivered).
    private static long check(CompletionTracker tracker, byte[] verdicts, long from, long lastWatermark,
            List<Object> undelivered) {
        Checkpoint c = tracker.checkpoint();
        long expected = from;
        while (expected - from < verdicts.length && verdicts[(int) (expected - from)] != 0
                && !undelivered.contains("event at " + expected)) {
            expected++;
        }
        assertThat(c.watermark()).as("watermark").isEqualTo(expected).isGreaterThanOrEqualTo(lastWatermark);
        long[] counts = new long[5];
        for (long p = from; p < c.watermark(); p++) {
            counts[verdicts[(int) (p - from)]]++;
        }
        assertThat(new long[] {c.open(), c.closed(), c.filtered(), c.errors()})
                .containsExactly(counts[1], counts[2], counts[3], counts[4]);
        return c.watermark();
    }

    // Every position of [from, to) once, each drawn at random from the `spread` oldest not yet drawn.
    private static List<Long> outOfOrder(long from, long to, int spread, SplittableRandom random) {
        List<Long> window = new ArrayList<>();
        List<Long> order = new ArrayList<>();
        long next = from;
        while (next < to || !window.isEmpty()) {
            while (window.size() < spread && next < to) {
                window.add(next++);
            }
            order.add(window.remove(random.nextInt(window.size())));
        }
        return order;
    }

    static Stream<Arguments> takeovers() {
        List<Arguments> cases = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(CASES_SEED + 2);
        int[][] edges = {{1, 1, 1}, {1, 64, 3}, {2, 64, 3}, {63, 64, 3}, {65, 64, 3}, {100, 7, 3}, {1000, 3, 2},
            {4099, 64, 3}, {997, 10, 1}, {524, 64, 8}};
        for (int[] e : edges) {
            cases.add(Arguments.of(e[0], e[1], e[2], random.nextLong()));
        }
        for (int i = 0; i < 120; i++) {
            cases.add(Arguments.of(random.nextInt(1, 5000), random.nextInt(1, 130), random.nextInt(1, 6),
                    random.nextLong()));
        }
        return cases.stream();
    }

    /**
     * Replicas work the ranges of a cut; a holder may die at any moment (what it had not checkpointed is lost)
     * or hand its range back, and the next one resumes the range from the last stored watermark. Every position
     * ends with exactly one stored verdict, and the stored counts add up to the size.
     */
    @ParameterizedTest(name = "size={0}, ranges={1}, replicas={2}, seed={3}L")
    @MethodSource("takeovers")
    void rangesTakenOverFromTheirWatermarksCountEveryPositionExactlyOnce(int size, int ranges, int replicas,
            long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] stored = new int[size];
        int[] probed = new int[size];
        long storedCount = 0;
        for (IndexRange range : Shards.cut(size, ranges)) {
            long watermark = range.from();
            Checkpoint base = new Checkpoint(watermark, 0, 0, 0, 0);
            int holders = 0;
            while (watermark < range.to()) {
                holders++;
                int stripes = 1 + random.nextInt(4);
                IndexRange rest = range.from(watermark);
                CompletionTracker tracker = new CompletionTracker(rest, stripes);
                List<Long> order = outOfOrder(rest.from(), rest.to(), 1 + random.nextInt(20), random);
                // The last holder (or a lucky one) finishes; the others die or hand back after some positions.
                boolean finishes = holders > replicas * 3 || random.nextInt(3) == 0;
                int until = finishes ? order.size() : random.nextInt(order.size() + 1);
                List<Long> done = new ArrayList<>();
                for (int i = 0; i < until; i++) {
                    long p = order.get(i);
                    probed[(int) p]++;
                    tracker.complete(p, CompletionTracker.CLOSED);
                    done.add(p);
                }
                Checkpoint c = tracker.checkpoint();
                // What is stored: the results at or below the checkpoint (a real store may keep more, deduped by key).
                for (long p : done) {
                    if (p < c.watermark() && stored[(int) p]++ == 0) {
                        storedCount++;
                    }
                }
                base = new Checkpoint(c.watermark(), base.open() + c.open(), base.closed() + c.closed(),
                        base.filtered() + c.filtered(), base.errors() + c.errors());
                assertThat(c.watermark()).isGreaterThanOrEqualTo(watermark);
                watermark = c.watermark();
            }
            assertThat(base.scanned()).as("range %s counted", range).isEqualTo(range.size());
        }
        assertThat(storedCount).isEqualTo(size);
        for (int p = 0; p < size; p++) {
            assertThat(stored[p]).as("position %d stored", p).isEqualTo(1);
            assertThat(probed[p]).as("position %d probed", p).isPositive();
        }
    }
}
