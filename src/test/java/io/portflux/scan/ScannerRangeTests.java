package io.portflux.scan;

import static org.assertj.core.api.Assertions.assertThat;

import io.portflux.scan.event.EventData;
import io.portflux.scan.shard.Checkpoint;
import io.portflux.scan.shard.IndexRange;
import io.portflux.scan.shard.RangeScan;
import io.portflux.scan.shard.Shards;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * ScannerRangeTests run a plan as ranges, the way replicas share a scan: every probe of the plan is made, each
 * address gets exactly one kept result and one count, also when a holder is stopped at a random moment and the
 * range is resumed from its watermark (positions above it are probed again, and the store keeps the first
 * result of an address). Answers come out of order (some probes answer later), so the watermark lags.
 */
class ScannerRangeTests {

    private static final long CASES_SEED = 0x5EED_2026_1013L;

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(CASES_SEED);
        // targets, ports, ranges, lanes, concurrency, report=all, random order
        cases.add(Arguments.of("127.0.0.1", "80", 64, 2, 4, true, true, random.nextLong()));
        cases.add(Arguments.of("127.0.0.1", "1-3", 64, 4, 16, true, false, random.nextLong()));
        cases.add(Arguments.of("127.0.0.1-3", "1-100", 7, 2, 16, true, true, random.nextLong()));
        cases.add(Arguments.of("127.0.0.1-8", "1-127", 64, 3, 32, false, true, random.nextLong()));
        cases.add(Arguments.of("127.0.0.1", "1-1000", 3, 1, 1, true, false, random.nextLong()));
        for (int i = 0; i < 40; i++) {
            int hosts = random.nextInt(1, 6);
            int ports = random.nextInt(1, 400);
            cases.add(Arguments.of("127.0.0.1-" + hosts, "1-" + ports, random.nextInt(1, 80), random.nextInt(1, 5),
                    random.nextInt(1, 40), random.nextBoolean(), random.nextBoolean(), random.nextLong()));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} x {1}, ranges={2}, lanes={3}, concurrency={4}, all={5}, random={6}, seed={7}L")
    @MethodSource("cases")
    void everyAddressGetsOneKeptResultAndOneCountAcrossRangesAndTakeovers(String targets, String ports, int ranges,
            int lanes, int concurrency, boolean reportAll, boolean random, long seed) {
        SplittableRandom dice = new SplittableRandom(seed);
        Set<Integer> open = new HashSet<>(List.of(2, 22, 80, 99, 250));
        // Open or refused; one probe in eight answers 1-3 ms later, so verdicts finish out of order.
        AtomicInteger attempts = new AtomicInteger();
        Map<InetSocketAddress, Integer> probed = new java.util.concurrent.ConcurrentHashMap<>();
        Sinks.One<String>[] stop = new Sinks.One[1];
        int[] stopAfter = new int[1];
        FakeProber prober = new FakeProber(lanes, address -> {
            probed.merge(address, 1, Integer::sum);
            if (attempts.incrementAndGet() == stopAfter[0]) {
                stop[0].tryEmitValue("stop");
            }
            ProbeOutcome outcome = open.contains(address.getPort()) ? new ProbeOutcome.Open(Duration.ofMillis(1))
                    : new ProbeOutcome.Refused(Duration.ofMillis(1));
            int h = address.hashCode() & 7;
            return h == 0 ? Mono.delay(Duration.ofMillis(1 + (address.getPort() % 3))).thenReturn(outcome)
                    : Mono.just(outcome);
        });
        ScanPlan plan = Plans.plan(targets, ports, concurrency, 0, null, reportAll, random);
        Scanner scanner = new Scanner(prober, Duration.ofMillis(250));

        Map<String, String> kept = new HashMap<>();
        long counted = 0;
        long openCounted = 0;
        for (IndexRange range : Shards.cut(plan.total(), ranges)) {
            long watermark = range.from();
            Checkpoint base = new Checkpoint(watermark, 0, 0, 0, 0);
            int holders = 0;
            while (watermark < range.to()) {
                holders++;
                stop[0] = Sinks.one();
                attempts.set(0);
                // A holder is stopped after a random number of probes, except every third one and the fourth.
                boolean finishes = holders >= 4 || dice.nextInt(3) == 0;
                stopAfter[0] = finishes ? -1 : dice.nextInt(1, (int) Math.min(Integer.MAX_VALUE, range.size()) + 1);
                RangeScan run = scanner.scanRange(plan, range.from(watermark), null, stop[0].asMono());
                List<EventData> events = run.events().collectList().block(Duration.ofSeconds(30));
                for (EventData event : events) {
                    if (event instanceof EventData.Port port) {
                        // The store keeps an address's first result; its position is then done.
                        kept.putIfAbsent(port.ip() + ":" + port.port(), port.state());
                        assertThat(run.tracker().delivered(port)).isTrue();
                    }
                }
                Checkpoint c = run.tracker().checkpoint();
                assertThat(c.watermark()).isGreaterThanOrEqualTo(watermark).isLessThanOrEqualTo(range.to());
                if (finishes) {
                    assertThat(c.watermark()).isEqualTo(range.to());
                }
                base = base.plus(c);
                watermark = c.watermark();
            }
            assertThat(base.scanned()).as("range %s", range).isEqualTo(range.size());
            counted += base.scanned();
            openCounted += base.open();
        }
        long hosts = plan.hosts().size().longValueExact();
        long openAddresses = hosts * java.util.Arrays.stream(plan.ports().toArray()).filter(open::contains).count();
        assertThat(counted).isEqualTo(plan.total());
        assertThat(openCounted).isEqualTo(openAddresses);
        assertThat(probed).hasSize((int) plan.total());
        if (reportAll) {
            assertThat(kept).hasSize((int) plan.total());
        } else {
            assertThat(kept.values()).containsOnly("open").hasSize((int) openAddresses);
        }
    }

    @Test
    void aRangeHasNoStartedProgressOrDoneAndEndsWhenItsLastPositionIsAnswered() {
        FakeProber prober = FakeProber.openOn(2, 22);
        ScanPlan plan = Plans.plan("127.0.0.1", "1-100", 8, 0, null, false, true);
        RangeScan run = new Scanner(prober, Duration.ofMillis(1)).scanRange(plan, new IndexRange(10, 60), null,
                Mono.never());
        List<EventData> events = run.events().collectList().block(Duration.ofSeconds(10));
        assertThat(events).allMatch(e -> e instanceof EventData.Port || e instanceof EventData.Service);
        assertThat(prober.attempts).hasSize(50);
        events.forEach(run.tracker()::delivered);
        Checkpoint c = run.tracker().checkpoint();
        assertThat(c.watermark()).isEqualTo(60);
        assertThat(c.scanned()).isEqualTo(50);
    }

    @Test
    void aReportedPortHoldsTheWatermarkUntilItsEventIsDelivered() {
        FakeProber prober = FakeProber.openOn(1, 1);
        ScanPlan plan = Plans.plan("127.0.0.1", "1-10", 4, 0, null, false, false);
        RangeScan run = new Scanner(prober, Duration.ofMillis(1)).scanRange(plan, new IndexRange(0, 10), null,
                Mono.never());
        List<EventData> events = run.events().collectList().block(Duration.ofSeconds(10));
        assertThat(events).hasSize(1);
        assertThat(run.tracker().checkpoint().watermark()).isZero();
        run.tracker().delivered(events.get(0));
        assertThat(run.tracker().checkpoint()).isEqualTo(new Checkpoint(10, 1, 9, 0, 0));
    }
}
