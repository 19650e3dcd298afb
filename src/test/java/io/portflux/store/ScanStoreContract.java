package io.portflux.store;

import io.portflux.store.database.StoreUrls;
import static org.assertj.core.api.Assertions.assertThat;

import io.portflux.scan.ScanRequest;
import io.portflux.scan.ScanStatus;
import io.portflux.scan.event.EventData;
import io.portflux.scan.event.ScanEvent;
import io.portflux.target.ResolvedTarget;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryOptions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;
import tools.jackson.databind.json.JsonMapper;

/**
 * ScanStoreContract is what every database behind {@link ScanStore} must do; each database runs it through a
 * subclass ({@code H2ScanStoreTests}, {@code PostgresScanStoreTests}) on a fresh, migrated database.
 */
abstract class ScanStoreContract {

    static final Duration WAIT = Duration.ofSeconds(30);
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final AtomicLong IDS = new AtomicLong();

    // Stores opened by the test: closed after it, or their signal listeners go on reconnecting to a database
    // server that has stopped, for as long as the test JVM runs.
    private final List<R2dbcScanStore> opened = new ArrayList<>();

    @AfterEach
    void closeStores() {
        opened.forEach(store -> {
            store.signals().close();
            store.destroy();
        });
        opened.clear();
    }

    /** A fresh R2DBC URL for one test, with the user in it if it needs one. */
    abstract String newDatabaseUrl() throws Exception;

    /** Whether the database is the embedded kind, which only one process opens. */
    abstract boolean embedded();

    ScanStore store(String url, String replica, int batchSize) {
        Flyway.configure().dataSource(StoreUrls.jdbc(url), user(url), "").load().migrate();
        ConnectionFactory connections = ConnectionFactories.get(url);
        StoreSignals signals = new StoreSignals();
        if (!embedded()) {
            signals.listen(connections);
            signals.listening().block(WAIT);
        }
        R2dbcScanStore store = new R2dbcScanStore(connections, JsonMapper.builder().build(), Clock.systemUTC(),
                new R2dbcScanStore.Settings(replica, embedded(), batchSize, Duration.ofMillis(50)), signals);
        opened.add(store);
        return store;
    }

    private static String user(String url) {
        Object user = ConnectionFactoryOptions.parse(url).getValue(ConnectionFactoryOptions.USER);
        return user == null ? "" : user.toString();
    }

    ScanStore store(int batchSize) throws Exception {
        return store(newDatabaseUrl(), "replica-a", batchSize);
    }

    static String newId() {
        return "scan" + IDS.incrementAndGet() + "x" + Long.toHexString(System.nanoTime());
    }

    static ScanRequest request(String targets) {
        return new ScanRequest(targets, "1-10", null, null, null, null, "all", null, null);
    }

    /** A scan of 127.0.0.1 ports 1..ports where every tenth port is open, ending with {@code status}. */
    static List<ScanEvent> scanEvents(String id, int ports, String status) {
        List<ScanEvent> events = new ArrayList<>();
        long seq = 1;
        events.add(new ScanEvent(seq++, new EventData.Started(id,
                List.of(new ResolvedTarget("127.0.0.1", null, "127.0.0.1", null, null)), ports, ports, 256, 1000, 1, null,
                "all", "sequential", 7, T0)));
        List<EventData.OpenPort> open = new ArrayList<>();
        for (int port = 1; port <= ports; port++) {
            boolean isOpen = port % 10 == 0;
            events.add(new ScanEvent(seq++, new EventData.Port(null, "127.0.0.1", port, isOpen ? "open" : "closed",
                    isOpen ? "conn-accept" : "conn-refused", isOpen ? "svc" + port : null, 0.25)));
            if (isOpen) {
                open.add(new EventData.OpenPort(null, "127.0.0.1", port, "svc" + port));
            }
            if (port == ports / 2) {
                events.add(new ScanEvent(seq++, new EventData.Progress(port, ports, open.size(), port - open.size(), 0, 0,
                        50.0, 1000.0, 500, 500L)));
            }
        }
        if (status != null) {
            events.add(new ScanEvent(seq, new EventData.Done(status, ports, ports, open.size(), ports - open.size(), 0, 0,
                    1000, open, null)));
        }
        return events;
    }

    static List<ScanEvent> all(ScanStore store, String id) {
        return store.events(id, 0, 100_000).collectList().block(WAIT);
    }

    @Test
    void aRecordedScanIsFoundWithItsCountersOpenPortsAndEveryEventInOrder() throws Exception {
        ScanStore store = store(500);
        String id = newId();
        store.create(id, request("127.0.0.1"), T0).block(WAIT);
        assertThat(store.find(id).block(WAIT).status()).isEqualTo(ScanStatus.RUNNING);

        List<ScanEvent> events = scanEvents(id, 1200, "completed");
        store.record(id, Flux.fromIterable(events)).block(WAIT);

        StoredScan scan = store.find(id).block(WAIT);
        assertThat(scan.status()).isEqualTo(ScanStatus.COMPLETED);
        assertThat(scan.request()).isEqualTo(request("127.0.0.1"));
        assertThat(scan.targets()).extracting(ResolvedTarget::ip).containsExactly("127.0.0.1");
        assertThat(List.of(scan.total(), scan.scanned(), scan.open(), scan.closed())).containsExactly(1200L, 1200L, 120L, 1080L);
        assertThat(scan.openPorts()).hasSize(120).first().isEqualTo(new EventData.OpenPort(null, "127.0.0.1", 10, "svc10"));
        assertThat(scan.openPorts()).extracting(EventData.OpenPort::port).isSorted();
        assertThat(scan.finishedAt()).isNotNull();
        assertThat(scan.owner()).isEqualTo("replica-a");
        assertThat(all(store, id)).isEqualTo(events);
        assertThat(store.events(id, 1198, 2).collectList().block(WAIT)).isEqualTo(events.subList(1198, 1200));
    }

    @Test
    void aRepeatedWriteNeverDoublesAnEventOrAResult() throws Exception {
        ScanStore store = store(7);
        String id = newId();
        store.create(id, request("127.0.0.1"), T0).block(WAIT);
        List<ScanEvent> events = scanEvents(id, 40, "completed");
        store.record(id, Flux.fromIterable(events.subList(0, 30))).block(WAIT);
        // A writer that resumes from an earlier point writes some events a second time.
        store.record(id, Flux.fromIterable(events.subList(10, events.size()))).block(WAIT);
        store.record(id, Flux.fromIterable(events)).block(WAIT);

        assertThat(all(store, id)).isEqualTo(events);
        StoredScan scan = store.find(id).block(WAIT);
        assertThat(scan.openPorts()).hasSize(4);
        assertThat(scan.open()).isEqualTo(4);
    }

    @Test
    void recoveryMarksAScanLeftRunningAsInterruptedWithADoneEventOnce() throws Exception {
        String url = newDatabaseUrl();
        ScanStore dead = store(url, "replica-a", 500);
        String id = newId();
        dead.create(id, request("127.0.0.1"), T0).block(WAIT);
        List<ScanEvent> events = scanEvents(id, 100, null);
        dead.record(id, Flux.fromIterable(events)).block(WAIT);

        ScanStore restarted = store(url, "replica-a", 500);
        assertThat(restarted.recover(T0.plusSeconds(60)).block(WAIT)).isEqualTo(1);

        StoredScan scan = restarted.find(id).block(WAIT);
        assertThat(scan.status()).isEqualTo(ScanStatus.INTERRUPTED);
        assertThat(scan.finishedAt()).isEqualTo(T0.plusSeconds(60));
        assertThat(scan.openPorts()).hasSize(10);
        List<ScanEvent> stored = all(restarted, id);
        assertThat(stored.subList(0, events.size())).isEqualTo(events);
        ScanEvent last = stored.get(stored.size() - 1);
        assertThat(last.id()).isEqualTo(events.size() + 1);
        assertThat(last.data()).isInstanceOfSatisfying(EventData.Done.class, done -> {
            assertThat(done.status()).isEqualTo("interrupted");
            assertThat(done.message()).isEqualTo(R2dbcScanStore.INTERRUPTED_MESSAGE);
            assertThat(done.openPorts()).hasSize(10);
            assertThat(done.scanned()).isEqualTo(50);
        });
        assertThat(restarted.recover(T0.plusSeconds(61)).block(WAIT)).isZero();
        assertThat(all(restarted, id)).hasSize(stored.size());
    }

    @Test
    void theListIsNewestFirstPagedAndFiltered() throws Exception {
        ScanStore store = store(500);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String id = newId();
            ids.add(id);
            store.create(id, request(i == 3 ? "localhost,127.0.0.2" : "127.0.0.1"), T0.plusSeconds(i)).block(WAIT);
            store.record(id, Flux.fromIterable(scanEvents(id, 10, i == 1 ? "cancelled" : "completed"))).block(WAIT);
        }

        assertThat(ids(store.list(ScanQuery.newest(100)))).containsExactly(ids.get(4), ids.get(3), ids.get(2), ids.get(1), ids.get(0));
        assertThat(ids(store.list(new ScanQuery(null, null, null, null, 1, 2)))).containsExactly(ids.get(2), ids.get(1));
        assertThat(ids(store.list(new ScanQuery(ScanStatus.CANCELLED, null, null, null, 0, 10)))).containsExactly(ids.get(1));
        assertThat(ids(store.list(new ScanQuery(null, "LOCALHOST", null, null, 0, 10)))).containsExactly(ids.get(3));
        assertThat(ids(store.list(new ScanQuery(null, "%", null, null, 0, 10)))).isEmpty();
        assertThat(ids(store.list(new ScanQuery(null, null, T0.plusSeconds(1), T0.plusSeconds(3), 0, 10))))
                .containsExactly(ids.get(2), ids.get(1));
        assertThat(store.list(ScanQuery.newest(1)).blockFirst(WAIT).openPorts()).hasSize(1);
    }

    @Test
    void retentionDeletesByAgeAndByCountButNeverARunningScan() throws Exception {
        ScanStore store = store(500);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String id = newId();
            ids.add(id);
            store.create(id, request("127.0.0.1"), T0.plusSeconds(i)).block(WAIT);
            store.record(id, Flux.fromIterable(scanEvents(id, 10, "completed"))).block(WAIT);
        }
        String running = newId();
        store.create(running, request("127.0.0.1"), T0.minusSeconds(3600)).block(WAIT);

        // Everything finished before the cutoff goes; the running scan stays whatever its age.
        assertThat(store.expire(Instant.now().plusSeconds(60), 100).block(WAIT)).isEqualTo(4);
        assertThat(ids(store.list(ScanQuery.newest(100)))).containsExactly(running);
        assertThat(all(store, ids.get(0))).isEmpty();

        List<String> kept = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String id = newId();
            kept.add(id);
            store.create(id, request("127.0.0.1"), T0.plusSeconds(10 + i)).block(WAIT);
            store.record(id, Flux.fromIterable(scanEvents(id, 10, "completed"))).block(WAIT);
        }
        assertThat(store.expire(T0, 2).block(WAIT)).isEqualTo(2);
        assertThat(ids(store.list(ScanQuery.newest(100)))).containsExactly(kept.get(3), kept.get(2), running);
    }

    @Test
    void theScanOfEachSchedulesNewestCompletedRunOutlivesTheRetention() throws Exception {
        String url = newDatabaseUrl();
        ScanStore store = store(url, "replica-a", 500);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String id = newId();
            ids.add(id);
            store.create(id, request("127.0.0.1"), T0.plusSeconds(i)).block(WAIT);
            store.record(id, Flux.fromIterable(scanEvents(id, 10, "completed"))).block(WAIT);
        }
        try (java.sql.Connection jdbc = java.sql.DriverManager.getConnection(StoreUrls.jdbc(url), user(url), "");
                java.sql.Statement sql = jdbc.createStatement()) {
            sql.execute("INSERT INTO schedules (id, name, cron, zone, enabled, scan, created_at, updated_at) "
                    + "VALUES ('s1', 'dmz', '* * * * * *', 'UTC', TRUE, '{}', 0, 0)");
            // Runs of the schedule: two completed, then one that did not complete (its scan is the third one).
            sql.execute("INSERT INTO schedule_runs (schedule_id, tick, scan_id, replica, started_at, status) VALUES "
                    + "('s1', 1, '" + ids.get(0) + "', 'a', 0, 'completed'), ('s1', 2, '" + ids.get(1) + "', 'a', 0, "
                    + "'completed'), ('s1', 3, '" + ids.get(2) + "', 'a', 0, 'cancelled')");
        }
        // Past every limit: only the newest completed run's scan stays, for the next run to be compared with.
        assertThat(store.expire(Instant.now().plusSeconds(60), 0).block(WAIT)).isEqualTo(2);
        assertThat(ids(store.list(ScanQuery.newest(100)))).containsExactly(ids.get(1));
    }

    @Test
    void aReplicaWhoseLeaseRanOutHasItsRunningScansInterruptedOnceAndItsLateWritesChangeNothing() throws Exception {
        String url = newDatabaseUrl();
        ScanStore a = store(url, "replica-a", 500);
        ScanStore b = store(url, "replica-b", 500);
        a.renewLease(T0).block(WAIT);
        b.renewLease(T0.plusSeconds(20)).block(WAIT);
        String id = newId();
        a.create(id, request("127.0.0.1"), T0).block(WAIT);
        List<ScanEvent> events = scanEvents(id, 100, "completed");
        a.record(id, Flux.fromIterable(events.subList(0, 60))).block(WAIT);
        List<String> stopped = new java.util.concurrent.CopyOnWriteArrayList<>();
        var watch = a.signals().cancels().subscribe(stopped::add);

        // A renewed at T0: alive for a cutoff before that, dead for one after.
        assertThat(b.interruptAbandoned(T0.minusSeconds(1), T0.plusSeconds(20)).block(WAIT)).isZero();
        assertThat(b.interruptAbandoned(T0.plusSeconds(10), T0.plusSeconds(20)).block(WAIT)).isEqualTo(1);
        assertThat(b.interruptAbandoned(T0.plusSeconds(10), T0.plusSeconds(21)).block(WAIT)).isZero();
        StoredScan scan = b.find(id).block(WAIT);
        assertThat(scan.status()).isEqualTo(ScanStatus.INTERRUPTED);
        assertThat(scan.openPorts()).hasSize(5);
        List<ScanEvent> stored = all(b, id);
        assertThat(stored).hasSize(61);
        assertThat(b.terminal(id).block(WAIT)).isEqualTo(stored.get(60));

        // A was only slow: what it writes now neither revives the scan nor doubles a row, and A is told to stop.
        a.record(id, Flux.fromIterable(events.subList(40, events.size()))).block(WAIT);
        assertThat(b.find(id).block(WAIT).status()).isEqualTo(ScanStatus.INTERRUPTED);
        assertThat(all(b, id).subList(0, 61)).isEqualTo(stored);
        assertThat(all(b, id).stream().filter(e -> e.data() instanceof EventData.Done).count()).isEqualTo(1);
        assertThat(stopped).contains(id);
        watch.dispose();
    }

    @Test
    void aCancelForAnotherReplicaIsOnTheRowAndWakesItUp() throws Exception {
        String url = newDatabaseUrl();
        ScanStore a = store(url, "replica-a", 500);
        ScanStore b = store(url, "replica-b", 500);
        String id = newId();
        a.create(id, request("127.0.0.1"), T0).block(WAIT);
        a.record(id, Flux.fromIterable(scanEvents(id, 20, null))).block(WAIT);
        assertThat(a.terminal(id).blockOptional(WAIT)).isEmpty();
        var woken = a.signals().cancels().filter(id::equals).next().toFuture();
        var changed = b.signals().changes().filter(id::equals).next().toFuture();

        assertThat(b.requestCancel(id).block(WAIT)).isTrue();
        assertThat(a.cancelRequested().collectList().block(WAIT)).containsExactly(id);
        assertThat(b.cancelRequested().collectList().block(WAIT)).isEmpty();
        String finished = newId();
        a.create(finished, request("127.0.0.1"), T0).block(WAIT);
        a.record(finished, Flux.fromIterable(scanEvents(finished, 20, "completed"))).block(WAIT);
        assertThat(b.requestCancel(finished).block(WAIT)).isFalse();
        if (!embedded()) {
            // Across processes only PostgreSQL carries the wake-ups (NOTIFY); the embedded store has one process.
            assertThat(woken.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(id);
            a.record(id, Flux.fromIterable(scanEvents(id, 20, "cancelled").subList(20, 22))).block(WAIT);
            assertThat(changed.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(id);
        }
    }

    @Test
    void resultsArePagedInAddressThenPortOrderAndReadOnlyAsTheSubscriberTakesThem() throws Exception {
        ScanStore store = store(500);
        String id = newId();
        store.create(id, request("127.0.0.1"), T0).block(WAIT);
        List<ScanEvent> events = scanEvents(id, 250, null);
        store.record(id, Flux.fromIterable(events)).block(WAIT);

        List<PortResult> taken = new ArrayList<>();
        StepVerifier.create(store.results(id, null, List.of(), 100), 1)
                .consumeNextWith(taken::add)
                // Rows stored after the first page was read: a reader that had read ahead would miss them.
                .then(() -> store.record(id, Flux.range(251, 10).map(port -> new ScanEvent(events.size() + port,
                        new EventData.Port(null, "127.0.0.1", port, "closed", "conn-refused", null, null)))).block(WAIT))
                .thenRequest(Long.MAX_VALUE)
                .recordWith(() -> taken)
                .thenConsumeWhile(r -> true)
                .verifyComplete();
        assertThat(taken).hasSize(260).extracting(PortResult::port).isSorted().doesNotHaveDuplicates();
        assertThat(taken.get(9)).isEqualTo(new PortResult("127.0.0.1", 10, null, "open", "conn-accept", "svc10", null, null,
                null, 0.25));

        assertThat(store.results(id, "127.0.0.1", List.of("closed"), 7).collectList().block(WAIT))
                .extracting(PortResult::port).containsExactly(10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140,
                        150, 160, 170, 180, 190, 200, 210, 220, 230, 240, 250);
        assertThat(store.results(id, "127.0.0.2", List.of(), 100).collectList().block(WAIT)).isEmpty();
        assertThat(store.tallies(id, "127.0.0.1").collectList().block(WAIT)).containsExactly(
                new PortResult.Tally("closed", "conn-refused", 235), new PortResult.Tally("open", "conn-accept", 25));
        assertThat(store.resultAddresses(id, List.of(), 1).collectList().block(WAIT)).containsExactly("127.0.0.1");
        assertThat(store.resultAddresses(id, List.of("filtered"), 1).collectList().block(WAIT)).isEmpty();
    }

    @Test
    void differencesAreThePortsWhoseVerdictDiffersOrThatOneScanOnlyStored() throws Exception {
        ScanStore store = store(500);
        String base = newId();
        String scan = newId();
        store.create(base, request("127.0.0.1"), T0).block(WAIT);
        store.record(base, Flux.fromIterable(scanEvents(base, 20, "completed"))).block(WAIT);
        store.create(scan, request("127.0.0.1"), T0.plusSeconds(1)).block(WAIT);
        List<ScanEvent> events = new ArrayList<>(scanEvents(scan, 21, "completed"));
        // Port 5 opens, port 20 changes its service; port 21 is in this scan only.
        events.replaceAll(e -> e.data() instanceof EventData.Port p && p.port() == 5
                ? new ScanEvent(e.id(), new EventData.Port(null, "127.0.0.1", 5, "open", "conn-accept", null, 0.25))
                : e.data() instanceof EventData.Port p && p.port() == 20
                ? new ScanEvent(e.id(), new EventData.Port(null, "127.0.0.1", 20, "open", "conn-accept", "other", 0.25))
                : e);
        store.record(scan, Flux.fromIterable(events)).block(WAIT);

        List<PortResult.Pair> pairs = store.differences(base, scan).collectList().block(WAIT);
        assertThat(pairs).extracting(PortResult.Pair::port).containsExactly(5, 20, 21);
        assertThat(pairs.get(0).base().state()).isEqualTo("closed");
        assertThat(pairs.get(0).scan().state()).isEqualTo("open");
        assertThat(pairs.get(1).base().service()).isEqualTo("svc20");
        assertThat(pairs.get(1).scan().service()).isEqualTo("other");
        assertThat(pairs.get(2).base()).isNull();
        assertThat(pairs.get(2).scan().state()).isEqualTo("closed");
        assertThat(store.differences(scan, base).collectList().block(WAIT)).extracting(PortResult.Pair::port)
                .containsExactly(5, 20, 21);
        assertThat(store.differences(base, base).collectList().block(WAIT)).isEmpty();
    }

    static List<String> ids(Flux<StoredScan> scans) {
        return scans.map(StoredScan::id).collectList().block(WAIT);
    }
}
