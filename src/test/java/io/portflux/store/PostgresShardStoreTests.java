package io.portflux.store;

import io.portflux.store.database.StoreUrls;
import static org.assertj.core.api.Assertions.assertThat;

import io.portflux.scan.ScanRequest;
import io.portflux.scan.ScanStatus;
import io.portflux.scan.event.EventData;
import io.portflux.scan.event.ScanEvent;
import io.portflux.scan.shard.Checkpoint;
import io.portflux.scan.shard.IndexRange;
import io.portflux.target.ResolvedTarget;
import io.portflux.testing.PostgresCluster;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * PostgresShardStoreTests check the ranges of shared scans on a real PostgreSQL: claims skip what another
 * replica holds, a lease that ran out lets another replica take the range over from its watermark and shuts the
 * old holder out, a result written twice is stored and streamed once, the counts are the watermarks', and the
 * scan ends with exactly one {@code done}, also when its last two ranges finish at once. Time is the test's:
 * every call is given its {@code now}.
 */
class PostgresShardStoreTests {

    @RegisterExtension
    static final PostgresCluster cluster = new PostgresCluster();

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration LEASE = Duration.ofSeconds(10);
    private static final Duration PROGRESS = Duration.ofMillis(250);
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final AtomicLong IDS = new AtomicLong();

    private static R2dbcScanStore store(String url, String replica) {
        Flyway.configure().dataSource(StoreUrls.jdbc(url), "postgres", "").load().migrate();
        ConnectionFactory connections = ConnectionFactories.get(url);
        return new R2dbcScanStore(connections, JsonMapper.builder().build(), Clock.systemUTC(),
                new R2dbcScanStore.Settings(replica, false, 500, Duration.ofMillis(50)), new StoreSignals());
    }

    private static String newDatabase() throws Exception {
        return cluster.newDatabase().replace("r2dbc:postgresql://", "r2dbc:postgresql://postgres@");
    }

    /** A shared scan of {@code total} probes in {@code ranges} ranges, created by {@code store} at T0. */
    private static String create(R2dbcScanStore store, long total, long... bounds) {
        String id = "shared" + IDS.incrementAndGet() + "x" + Long.toHexString(System.nanoTime());
        List<IndexRange> ranges = new ArrayList<>();
        for (int i = 0; i + 1 < bounds.length; i++) {
            ranges.add(new IndexRange(bounds[i], bounds[i + 1]));
        }
        EventData.Started started = new EventData.Started(id,
                List.of(new ResolvedTarget("127.0.0.1", null, "127.0.0.1", null, null)), (int) total, total, 64, 1000, 0,
                null, "all", "random", 42, T0);
        store.shards().create(id, new ScanRequest("127.0.0.1", "1-" + total, null, null, null, null, "all", null, null,
                null, "on"), T0, "{}", ranges, started).block(WAIT);
        return id;
    }

    /** A shared scan on a new database, created by replica a, whose first range a holds and second b. */
    private record Started(R2dbcScanStore a, R2dbcScanStore b, String id, ShardStore.Claim a0, ShardStore.Claim b1) {}

    private static Started started(long total, long... bounds) throws Exception {
        String url = newDatabase();
        R2dbcScanStore a = store(url, "a");
        R2dbcScanStore b = store(url, "b");
        String id = create(a, total, bounds);
        ShardStore.Claim a0 = a.shards().claim(T0, LEASE).block(WAIT);
        ShardStore.Claim b1 = b.shards().claim(T0, LEASE).block(WAIT);
        return new Started(a, b, id, a0, b1);
    }

    private static EventData.Port port(int port, String state) {
        return new EventData.Port(null, "127.0.0.1", port, state, "open".equals(state) ? "conn-accept" : "conn-refused",
                null, 0.1);
    }

    private static Checkpoint closed(long watermark, long closed, long open) {
        return new Checkpoint(watermark, open, closed, 0, 0);
    }

    private static ShardStore.Outcome write(R2dbcScanStore store, ShardStore.Claim claim, Checkpoint now,
            Checkpoint before, List<EventData> events, ShardStore.End end, Instant at) {
        return store.shards().write(new ShardStore.Batch(claim.scanId(), claim.index(), claim.epoch(), claim.range(),
                now, before, events, end), at, LEASE, PROGRESS).block(WAIT);
    }

    private static List<ScanEvent> events(R2dbcScanStore store, String id) {
        return store.events(id, 0, 10_000).collectList().block(WAIT);
    }

    private static List<String> names(List<ScanEvent> events) {
        return events.stream().map(ScanEvent::name).toList();
    }

    @Test
    void claimsSkipHeldRangesAndALeaseThatRanOutLetsAnotherReplicaTakeOverFromTheWatermark() throws Exception {
        String url = newDatabase();
        R2dbcScanStore a = store(url, "a");
        R2dbcScanStore b = store(url, "b");
        String id = create(a, 30, 0, 10, 20, 30);

        ShardStore.Claim a0 = a.shards().claim(T0, LEASE).block(WAIT);
        ShardStore.Claim b1 = b.shards().claim(T0, LEASE).block(WAIT);
        ShardStore.Claim a2 = a.shards().claim(T0, LEASE).block(WAIT);
        assertThat(List.of(a0.index(), b1.index(), a2.index())).containsExactly(0, 1, 2);
        assertThat(a0.action()).isEqualTo(EventData.Shard.CLAIMED);
        assertThat(b.shards().claim(T0.plusSeconds(1), LEASE).blockOptional(WAIT)).as("nothing left to claim").isEmpty();

        // a gets half of range 0 done, with port 3 open, then stops renewing.
        assertThat(write(a, a0, closed(5, 4, 1), a0.stored(), List.of(port(3, "open"), port(4, "closed")),
                ShardStore.End.NONE, T0.plusSeconds(1))).isEqualTo(ShardStore.Outcome.WRITTEN);
        assertThat(b.shards().claim(T0.plusSeconds(5), LEASE).blockOptional(WAIT)).as("a's lease still runs").isEmpty();
        ShardStore.Claim taken = b.shards().claim(T0.plusSeconds(12), LEASE).block(WAIT);
        assertThat(taken.index()).isZero();
        assertThat(taken.action()).isEqualTo(EventData.Shard.TAKEN_OVER);
        assertThat(taken.previous()).isEqualTo("a");
        assertThat(taken.stored()).isEqualTo(closed(5, 4, 1));
        assertThat(taken.epoch()).isGreaterThan(a0.epoch());

        // a comes back from its pause: its write is refused, and nothing of it is stored.
        assertThat(write(a, a0, closed(8, 7, 1), closed(5, 4, 1), List.of(port(6, "closed")), ShardStore.End.NONE,
                T0.plusSeconds(13))).isEqualTo(ShardStore.Outcome.LOST);
        assertThat(a.find(id).block(WAIT).scanned()).isEqualTo(5);

        // b probes from 5 again: port 4 (below the watermark) is not; port 3 was stored by a and is not stored or
        // streamed again; port 6 is new.
        assertThat(write(b, taken, closed(10, 9, 1), taken.stored(), List.of(port(3, "open"), port(6, "closed")),
                ShardStore.End.FINISHED, T0.plusSeconds(14))).isEqualTo(ShardStore.Outcome.WRITTEN);
        List<ScanEvent> events = events(a, id);
        assertThat(events.stream().filter(e -> e.data() instanceof EventData.Port p && p.port() == 3)).hasSize(1);
        assertThat(events.stream().filter(e -> e.data() instanceof EventData.Port p && p.port() == 6)).hasSize(1);
        assertThat(a.results(id, null, List.of(), 100).collectList().block(WAIT)).hasSize(3);
        StoredScan scan = a.find(id).block(WAIT);
        assertThat(scan.scanned()).isEqualTo(10);
        assertThat(scan.open()).isEqualTo(1);
        assertThat(scan.status()).isEqualTo(ScanStatus.RUNNING);
        assertThat(scan.distributed()).isTrue();
        assertThat(scan.shards()).isEqualTo(new EventData.ShardCounts(1, 2, 0, 0, List.of("a", "b")));
    }

    @Test
    void aRangeHandedBackIsResumedAtOnceAndTheLastRangeEndsTheScanWithOneDoneAndExactCounts() throws Exception {
        Started s = started(20, 0, 10, 20);
        R2dbcScanStore a = s.a();
        R2dbcScanStore b = s.b();
        String id = s.id();
        ShardStore.Claim a0 = s.a0();
        ShardStore.Claim b1 = s.b1();

        // a stops (SIGTERM) at watermark 4 and hands range 0 back; b resumes it at once, with no lease to wait.
        assertThat(write(a, a0, closed(4, 3, 1), a0.stored(), List.of(port(1, "open")), ShardStore.End.HANDED_BACK,
                T0.plusSeconds(1))).isEqualTo(ShardStore.Outcome.WRITTEN);
        ShardStore.Claim resumed = b.shards().claim(T0.plusSeconds(1), LEASE).block(WAIT);
        assertThat(resumed.index()).isZero();
        assertThat(resumed.action()).isEqualTo(EventData.Shard.RESUMED);
        assertThat(resumed.previous()).isEqualTo("a");
        assertThat(resumed.stored()).isEqualTo(closed(4, 3, 1));

        assertThat(write(b, b1, closed(20, 10, 0), b1.stored(), List.of(), ShardStore.End.FINISHED, T0.plusSeconds(2)))
                .isEqualTo(ShardStore.Outcome.WRITTEN);
        assertThat(a.terminal(id).blockOptional(WAIT)).as("one range is left").isEmpty();
        assertThat(write(b, resumed, closed(10, 9, 1), resumed.stored(), List.of(), ShardStore.End.FINISHED,
                T0.plusSeconds(3))).isEqualTo(ShardStore.Outcome.WRITTEN);

        List<ScanEvent> events = events(a, id);
        for (int i = 0; i < events.size(); i++) {
            assertThat(events.get(i).id()).isEqualTo(i + 1);
        }
        assertThat(names(events)).startsWith("started").endsWith("progress", "done")
                .filteredOn("done"::equals).hasSize(1);
        EventData.Done done = (EventData.Done) events.get(events.size() - 1).data();
        assertThat(done.status()).isEqualTo("completed");
        assertThat(List.of(done.scanned(), done.open(), done.closed(), done.total())).containsExactly(20L, 1L, 19L, 20L);
        assertThat(done.openPorts()).extracting(EventData.OpenPort::port).containsExactly(1);
        assertThat(done.elapsedMs()).isEqualTo(3000);
        EventData.Progress last = (EventData.Progress) events.get(events.size() - 2).data();
        assertThat(last.shards()).isEqualTo(new EventData.ShardCounts(2, 0, 0, 0, List.of()));
        StoredScan scan = a.find(id).block(WAIT);
        assertThat(scan.status()).isEqualTo(ScanStatus.COMPLETED);
        assertThat(scan.finishedAt()).isEqualTo(T0.plusSeconds(3));
        // Nothing more to claim or write once the scan has ended.
        assertThat(a.shards().claim(T0.plusSeconds(60), LEASE).blockOptional(WAIT)).isEmpty();
    }

    @Test
    void aReplicaBeyondItsShareClaimsOnlyRangesThatAnotherLeft() throws Exception {
        Started s = started(40, 0, 10, 20, 30, 40);
        R2dbcScanStore a = s.a();
        R2dbcScanStore b = s.b();
        ShardStore.Claim a0 = s.a0();
        ShardStore.Claim b1 = s.b1();
        assertThat(b.shards().claimLeftOver(T0, LEASE).blockOptional(WAIT)).as("ranges 2 and 3 were never held")
                .isEmpty();

        assertThat(write(a, a0, closed(4, 4, 0), a0.stored(), List.of(), ShardStore.End.HANDED_BACK, T0.plusSeconds(1)))
                .isEqualTo(ShardStore.Outcome.WRITTEN);
        ShardStore.Claim left = b.shards().claimLeftOver(T0.plusSeconds(1), LEASE).block(WAIT);
        assertThat(left.index()).isZero();
        assertThat(left.action()).isEqualTo(EventData.Shard.RESUMED);
        assertThat(left.stored()).isEqualTo(closed(4, 4, 0));

        // b stops renewing range 1 (leased until T0 + 10 s; range 0 until T0 + 11 s): once its lease has run out,
        // another replica takes it over beyond its share too.
        assertThat(a.shards().claimLeftOver(T0.plusSeconds(5), LEASE).blockOptional(WAIT)).isEmpty();
        ShardStore.Claim taken = a.shards().claimLeftOver(T0.plusMillis(10_500), LEASE).block(WAIT);
        assertThat(List.of(taken.index(), taken.epoch())).containsExactly(1, b1.epoch() + 1);
        assertThat(taken.action()).isEqualTo(EventData.Shard.TAKEN_OVER);
    }

    @Test
    void theOpenPortsARangeStoredWithNoDetectionAreFoundForItsNextHolder() throws Exception {
        Started s = started(20, 0, 10, 20);
        EventData.Service detected = new EventData.Service(null, "127.0.0.1", 2, "ssh", "OpenSSH", "9.2p1", null, null,
                EventData.Service.PROBED);
        // a stores ports 2 and 3 open, and 2's detection; it dies detecting 3. b's range has its own open port 12.
        assertThat(write(s.a(), s.a0(), closed(5, 3, 2), s.a0().stored(),
                List.of(port(2, "open"), port(3, "open"), detected), ShardStore.End.NONE, T0.plusSeconds(1)))
                .isEqualTo(ShardStore.Outcome.WRITTEN);
        assertThat(write(s.b(), s.b1(), closed(13, 2, 1), s.b1().stored(),
                List.of(port(12, "open"), port(11, "closed")), ShardStore.End.NONE, T0.plusSeconds(1)))
                .isEqualTo(ShardStore.Outcome.WRITTEN);

        assertThat(s.b().shards().undetected(s.id(), 0).collectList().block(WAIT)).containsExactly(port(3, "open"));
        assertThat(s.b().shards().undetected(s.id(), 1).collectList().block(WAIT)).containsExactly(port(12, "open"));
    }

    @Test
    void theLastTwoRangesFinishingAtOnceEndTheScanWithExactlyOneDone() throws Exception {
        String url = newDatabase();
        R2dbcScanStore a = store(url, "a");
        R2dbcScanStore b = store(url, "b");
        for (int round = 0; round < 8; round++) {
            String id = create(a, 20, 0, 10, 20);
            ShardStore.Claim a0 = a.shards().claim(T0, LEASE).block(WAIT);
            ShardStore.Claim b1 = b.shards().claim(T0, LEASE).block(WAIT);
            List<ShardStore.Outcome> outcomes = Mono.zip(
                    a.shards().write(new ShardStore.Batch(id, a0.index(), a0.epoch(), a0.range(), closed(10, 10, 0),
                            a0.stored(), List.of(), ShardStore.End.FINISHED), T0.plusSeconds(1), LEASE, PROGRESS),
                    b.shards().write(new ShardStore.Batch(id, b1.index(), b1.epoch(), b1.range(), closed(20, 10, 0),
                            b1.stored(), List.of(), ShardStore.End.FINISHED), T0.plusSeconds(1), LEASE, PROGRESS))
                    .map(both -> List.of(both.getT1(), both.getT2())).block(WAIT);
            assertThat(outcomes).containsOnly(ShardStore.Outcome.WRITTEN);
            List<ScanEvent> events = events(a, id);
            assertThat(names(events)).as("round %d", round).filteredOn("done"::equals).hasSize(1);
            assertThat(((EventData.Done) events.get(events.size() - 1).data()).scanned()).isEqualTo(20);
            for (int i = 0; i < events.size(); i++) {
                assertThat(events.get(i).id()).isEqualTo(i + 1);
            }
        }
    }

    @Test
    void aCancelEndsTheScanAndItsUnfinishedRangesForEveryHolderAndLateWritesAreDropped() throws Exception {
        String url = newDatabase();
        R2dbcScanStore a = store(url, "a");
        R2dbcScanStore b = store(url, "b");
        String id = create(a, 30, 0, 10, 20, 30);
        ShardStore.Claim b0 = b.shards().claim(T0, LEASE).block(WAIT);
        ShardStore.Claim a1 = a.shards().claim(T0, LEASE).block(WAIT);
        assertThat(write(b, b0, closed(3, 3, 0), b0.stored(), List.of(), ShardStore.End.NONE, T0.plusSeconds(1)))
                .isEqualTo(ShardStore.Outcome.WRITTEN);
        assertThat(write(a, a1, closed(20, 10, 0), a1.stored(), List.of(), ShardStore.End.FINISHED, T0.plusSeconds(1)))
                .isEqualTo(ShardStore.Outcome.WRITTEN);
        assertThat(a.find(id).block(WAIT).shards()).as("range 0 held by b, 1 done, 2 waiting")
                .isEqualTo(new EventData.ShardCounts(1, 1, 1, 0, List.of("b")));

        assertThat(a.shards().cancel(id, "cancelled by request", T0.plusSeconds(2)).block(WAIT)).isTrue();
        assertThat(a.shards().cancel(id, "cancelled by request", T0.plusSeconds(2)).block(WAIT)).isFalse();
        assertThat(write(b, b0, closed(6, 6, 0), closed(3, 3, 0), List.of(port(5, "closed")), ShardStore.End.NONE,
                T0.plusSeconds(3))).isEqualTo(ShardStore.Outcome.ENDED);
        assertThat(a.shards().claim(T0.plusSeconds(3), LEASE).blockOptional(WAIT)).isEmpty();

        // The scan is over, and so are its ranges: the one done stays done, none runs or waits; the snapshot's
        // shards figure and the last progress before done say so.
        StoredScan scan = a.find(id).block(WAIT);
        assertThat(scan.status()).isEqualTo(ScanStatus.CANCELLED);
        assertThat(scan.scanned()).isEqualTo(13);
        EventData.ShardCounts over = new EventData.ShardCounts(1, 0, 0, 2, List.of());
        assertThat(scan.shards()).isEqualTo(over);
        List<ScanEvent> events = events(a, id);
        assertThat(names(events)).endsWith("progress", "done").filteredOn("done"::equals).hasSize(1);
        for (int i = 0; i < events.size(); i++) {
            assertThat(events.get(i).id()).isEqualTo(i + 1);
        }
        EventData.Progress last = (EventData.Progress) events.get(events.size() - 2).data();
        assertThat(last.shards()).isEqualTo(over);
        assertThat(List.of(last.scanned(), last.closed(), last.total())).containsExactly(13L, 13L, 30L);
        assertThat(last.etaMs()).isNull();
        EventData.Done done = (EventData.Done) a.terminal(id).block(WAIT).data();
        assertThat(done.status()).isEqualTo("cancelled");
        assertThat(done.message()).isEqualTo("cancelled by request");
        assertThat(done.scanned()).isEqualTo(13);
        assertThat(a.results(id, null, List.of(), 100).collectList().block(WAIT)).isEmpty();
        // A shared scan is never interrupted with the replica that started it.
        String other = create(a, 20, 0, 20);
        assertThat(b.interruptAbandoned(T0.plusSeconds(3600), T0.plusSeconds(3600)).block(WAIT)).isZero();
        assertThat(a.find(other).block(WAIT).status()).isEqualTo(ScanStatus.RUNNING);
    }
}
