package io.portflux.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.portflux.testing.Await;
import io.portflux.testing.ListenerPool;
import io.portflux.testing.PortFluxProcess;
import io.portflux.testing.PostgresCluster;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.http.MediaType;

/**
 * ScheduleReplicasTests run one schedule every second on three PortFlux processes sharing a private PostgreSQL: every
 * tick of a window runs exactly once (one scan per tick, ticks a second apart with no gap), and when the replica that
 * holds the schedule is killed with SIGKILL another one runs it within the lease time.
 */
class ScheduleReplicasTests {

    @RegisterExtension
    static final PostgresCluster cluster = new PostgresCluster();

    private static final Duration LEASE = Duration.ofSeconds(3);
    private static final long TICK_MS = 1000;
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final ListenerPool listeners = new ListenerPool();
    private final List<PortFluxProcess> replicas = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (PortFluxProcess replica : replicas) {
            replica.close();
        }
        listeners.close();
    }

    /** One run of the schedule, from its row. */
    private record Run(long tick, String scanId, String replica) {}

    private List<PortFluxProcess> start(String url, String... names) throws Exception {
        replicas.addAll(PortFluxProcess.startReplicas(dir, List.of(names), "--spring.r2dbc.url=" + url,
                "--spring.r2dbc.username=postgres", "--portflux.store.lease-time=" + LEASE.toMillis() + "ms",
                "--portflux.schedules.poll-interval=250ms", "--portflux.quotas.scans-per-minute=0"));
        return replicas;
    }

    private static List<Run> runs(Connection jdbc, String schedule) throws SQLException {
        List<Run> runs = new ArrayList<>();
        try (ResultSet r = jdbc.createStatement().executeQuery("SELECT tick, scan_id, replica FROM schedule_runs "
                + "WHERE schedule_id = '" + schedule + "' ORDER BY tick")) {
            while (r.next()) {
                runs.add(new Run(r.getLong(1), r.getString(2), r.getString(3)));
            }
        }
        return runs;
    }

    private static long count(Connection jdbc, String sql) throws SQLException {
        try (ResultSet r = jdbc.createStatement().executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }

    private static String one(Connection jdbc, String sql) throws SQLException {
        try (ResultSet r = jdbc.createStatement().executeQuery(sql)) {
            r.next();
            return r.getString(1);
        }
    }

    private static Set<String> ids(Connection jdbc, String sql) throws SQLException {
        Set<String> ids = new HashSet<>();
        try (ResultSet r = jdbc.createStatement().executeQuery(sql)) {
            while (r.next()) {
                ids.add(r.getString(1));
            }
        }
        return ids;
    }

    /**
     * Every run has its own scan, and every scan in the store is a run's: a tick started twice would leave a scan
     * with no run, since the run row's key (schedule, tick) refuses the second. The scans are read first, so a scan
     * whose run row is still being written is found on the next look.
     */
    private static void exactlyOnce(Connection jdbc, List<Run> runs) throws Exception {
        assertThat(runs).extracting(Run::scanId).doesNotHaveDuplicates().doesNotContainNull();
        Await.until(() -> {
            Set<String> scans = ids(jdbc, "SELECT id FROM scans");
            return ids(jdbc, "SELECT scan_id FROM schedule_runs").containsAll(scans);
        }, "every scan started belongs to a run", Duration.ofSeconds(5));
    }

    @Test
    void threeReplicasRunEachTickOnceAndTheScheduleMovesWhenItsHolderIsKilled() throws Exception {
        String url = cluster.newDatabase();
        long t0 = System.nanoTime();
        List<PortFluxProcess> abc = start(url, "a", "b", "c");
        System.out.printf("three replicas ready after %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        int open = listeners.open();
        @SuppressWarnings("unchecked")
        Map<String, Object> created = abc.get(0).client().post().uri("/api/schedules").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"name\":\"every-second\",\"cron\":\"* * * * * *\",\"zone\":\"UTC\","
                        + "\"scan\":{\"targets\":\"127.0.0.1\",\"ports\":\"" + open + "\"}}")
                .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody();
        String id = (String) created.get("id");
        String database = url.substring(url.lastIndexOf('/') + 1);
        try (Connection jdbc = DriverManager.getConnection(cluster.jdbcUrl(database), "postgres", "")) {
            // A window of eight ticks, all three replicas looking every 250 ms.
            Await.until(() -> runs(jdbc, id).size() >= 8, "eight runs", WAIT);
            List<Run> window = runs(jdbc, id);
            exactlyOnce(jdbc, window);
            for (int i = 1; i < window.size(); i++) {
                assertThat(window.get(i).tick() - window.get(i - 1).tick()).as("ticks a second apart, none missed or doubled")
                        .isEqualTo(TICK_MS);
            }
            String holder = one(jdbc, "SELECT owner FROM schedules WHERE id = '" + id + "'");
            assertThat(window).extracting(Run::replica).containsOnly(holder);
            System.out.printf("three replicas, %d ticks of a per-second cron over %d ms: %d scans, all on %s%n", window.size(),
                    window.get(window.size() - 1).tick() - window.get(0).tick(), window.size(), holder);

            PortFluxProcess holding = abc.get(List.of("a", "b", "c").indexOf(holder));
            int before = runs(jdbc, id).size();
            holding.kill();
            long killed = System.nanoTime();
            Await.until(() -> runs(jdbc, id).stream().anyMatch(run -> !run.replica().equals(holder)),
                    "a run on another replica", WAIT);
            long movedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
            String next = one(jdbc, "SELECT owner FROM schedules WHERE id = '" + id + "'");
            assertThat(next).isNotEqualTo(holder);
            System.out.printf("SIGKILL of holder %s: the schedule ran on %s after %d ms (lease %d ms, tick %d ms)%n",
                    holder, next, movedMs, LEASE.toMillis(), TICK_MS);
            // The lease, then the next tick, then a look (250 ms) and a busy machine's query.
            assertThat(movedMs).isLessThan(LEASE.toMillis() + TICK_MS + 2000);

            // More ticks on the new holder: still one scan per run, the ticks missed meanwhile not replayed.
            Await.until(() -> runs(jdbc, id).size() >= before + 3, "runs on the new holder", WAIT);
            List<Run> after = runs(jdbc, id);
            exactlyOnce(jdbc, after);
            List<Run> moved = after.subList(before, after.size());
            assertThat(moved.get(0).replica()).as("the catch-up run").isEqualTo(next);
            for (int i = 2; i < moved.size(); i++) {
                assertThat(moved.get(i).tick() - moved.get(i - 1).tick()).isEqualTo(TICK_MS);
                assertThat(moved.get(i).replica()).isEqualTo(next);
            }
            assertThat(count(jdbc, "SELECT COUNT(*) FROM schedule_runs WHERE schedule_id = '" + id + "' "
                    + "AND status = 'running' AND replica = '" + holder + "'")).as("the dead holder's run left running")
                    .isLessThanOrEqualTo(1);
        }
    }
}
