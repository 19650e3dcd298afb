package io.portflux.web.scans;

import static org.assertj.core.api.Assertions.assertThat;

import io.portflux.testing.Await;
import io.portflux.testing.ListenerPool;
import io.portflux.testing.PortFluxProcess;
import io.portflux.testing.PostgresCluster;
import io.portflux.testing.SseClient;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * ReplicasTests run several PortFlux processes on loopback against one private PostgreSQL: a scan started on
 * one replica is listed, watched, resumed and cancelled through the others, a replica killed with SIGKILL has
 * its scan marked interrupted by the others within the lease time, and everything is still there after every
 * replica restarts.
 */
class ReplicasTests {

    @RegisterExtension
    static final PostgresCluster cluster = new PostgresCluster();

    private static final Duration WAIT = Duration.ofSeconds(60);

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

    private List<PortFluxProcess> replicas(String url, Duration lease, Duration poll, String... names) throws Exception {
        return replicas(url, lease, poll, new String[0], names);
    }

    private List<PortFluxProcess> replicas(String url, Duration lease, Duration poll, String[] extra, String... names)
            throws Exception {
        List<String> args = new ArrayList<>(List.of("--spring.r2dbc.url=" + url, "--spring.r2dbc.username=postgres",
                "--portflux.store.lease-time=" + lease.toMillis() + "ms",
                "--portflux.store.poll-interval=" + poll.toMillis() + "ms", "--portflux.quotas.scans-per-minute=0"));
        args.addAll(List.of(extra));
        List<PortFluxProcess> started = PortFluxProcess.startReplicas(dir, List.of(names), args.toArray(String[]::new));
        replicas.addAll(started);
        return started;
    }

    private static String start(WebTestClient client, String json) {
        Map<?, ?> body = client.post().uri("/api/scans").contentType(MediaType.APPLICATION_JSON).bodyValue(json)
                .exchange().expectStatus().isAccepted().expectBody(Map.class).returnResult().getResponseBody();
        return (String) body.get("id");
    }

    private static Map<?, ?> snapshot(WebTestClient client, String id) {
        return client.get().uri("/api/scans/" + id).exchange().expectStatus().isOk()
                .expectBody(Map.class).returnResult().getResponseBody();
    }

    private static List<Object> ids(WebTestClient client) {
        List<?> list = client.get().uri("/api/scans").exchange().expectStatus().isOk()
                .expectBody(List.class).returnResult().getResponseBody();
        return list.stream().map(s -> ((Map<?, ?>) s).get("id")).map(Object.class::cast).toList();
    }

    private static List<String> signature(List<ServerSentEvent<Map<String, Object>>> events) {
        return events.stream().map(e -> e.id() + ":" + e.event() + ":" + e.data()).toList();
    }

    private static CompletableFuture<List<ServerSentEvent<Map<String, Object>>>> watch(WebTestClient client, String id) {
        return SseClient.stream(client, "/api/scans/" + id + "/events").collectList().toFuture();
    }

    @Test
    void aScanOnOneReplicaIsListedWatchedResumedAndCancelledThroughTheOthers() throws Exception {
        // A long lease: the owner looks for cancels on its rows only every 12 s, and watchers elsewhere poll only
        // every 30 s, so what arrives sooner came by a PostgreSQL notification.
        String url = cluster.newDatabase();
        List<PortFluxProcess> abc = replicas(url, Duration.ofSeconds(60), Duration.ofSeconds(30), "a", "b", "c");
        WebTestClient a = abc.get(0).client();
        WebTestClient b = abc.get(1).client();
        WebTestClient c = abc.get(2).client();
        int open = listeners.open();
        // About 40 s at 1,000 probes a second: it is still running when it is cancelled.
        String id = start(a, "{\"targets\":\"127.0.0.1\",\"ports\":\"" + open + ",1-40000\",\"rate\":\"1000\","
                + "\"report\":\"all\",\"order\":\"sequential\"}");
        var onA = watch(a, id);
        var onB = watch(b, id);

        assertThat(ids(b)).contains(id);
        assertThat(ids(c)).contains(id);
        Await.until(() -> ((Number) snapshot(c, id).get("scanned")).longValue() > 1500, "1,500 probes stored, seen from c",
                WAIT);
        assertThat(snapshot(b, id).get("status")).isEqualTo("running");

        // Resume on c: the first 100 events, then the rest from Last-Event-ID.
        var first = SseClient.stream(c, "/api/scans/" + id + "/events").take(100).collectList().block(WAIT);
        String lastId = first.get(first.size() - 1).id();
        var rest = SseClient.stream(c.mutate().defaultHeader("Last-Event-ID", lastId).build(), "/api/scans/" + id + "/events")
                .collectList().toFuture();

        long asked = System.nanoTime();
        Map<?, ?> cancelled = b.delete().uri("/api/scans/" + id).exchange().expectStatus().isOk()
                .expectBody(Map.class).returnResult().getResponseBody();
        assertThat(cancelled.get("id")).isEqualTo(id);
        var fromA = onA.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        long stoppedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - asked);
        var fromB = onB.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        long watchedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - asked);

        Map<String, Object> done = SseClient.last(fromA);
        assertThat(done).containsEntry("status", "cancelled").containsEntry("message", ScanRegistry.CANCELLED_BY_REQUEST);
        assertThat(SseClient.number(done, "scanned")).isLessThan(40001);
        // The owner heard of the cancel through NOTIFY (its own poll would take 12 s), and so did b's watcher.
        assertThat(stoppedMs).as("cancel on b to done on a, ms").isLessThan(3000);
        // b's watcher reads the rows in pages and may be behind when the cancel comes; its poll alone would
        // take 30 s.
        assertThat(watchedMs).as("cancel on b to done on b's watcher, ms").isLessThan(15000);
        System.out.printf("cancel through b: done on a after %d ms, on b's watcher after %d ms%n", stoppedMs, watchedMs);

        // The same events in the same order, whichever replica was watched.
        assertThat(signature(fromB)).isEqualTo(signature(fromA));
        List<ServerSentEvent<Map<String, Object>>> resumed = new ArrayList<>(first);
        resumed.addAll(rest.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertThat(signature(resumed)).isEqualTo(signature(fromA));
        assertThat(snapshot(c, id).get("status")).isEqualTo("cancelled");

        // Every replica restarts: the scan and its events are still there.
        for (PortFluxProcess replica : abc) {
            assertThat(replica.terminate()).isIn(0, 130, 143);
        }
        List<PortFluxProcess> again = replicas(url, Duration.ofSeconds(60), Duration.ofSeconds(30), "b");
        assertThat(signature(SseClient.all(again.get(0).client(), "/api/scans/" + id + "/events")))
                .isEqualTo(signature(fromA));
    }

    @Test
    void aReplicaKilledMidScanIsInterruptedOnTheOthersWithinTheLeaseWithEveryResultItWroteOnce() throws Exception {
        String url = cluster.newDatabase();
        Duration lease = Duration.ofSeconds(3);
        List<PortFluxProcess> ab = replicas(url, lease, Duration.ofSeconds(1), "a", "b", "c");
        WebTestClient b = ab.get(1).client();
        WebTestClient c = ab.get(2).client();
        int open = listeners.open();
        String id = start(ab.get(0).client(), "{\"targets\":\"127.0.0.1\",\"ports\":\"" + open + ",1-30000\","
                + "\"rate\":\"1000\",\"report\":\"all\",\"order\":\"sequential\"}");
        Await.until(() -> ((Number) snapshot(b, id).get("scanned")).longValue() > 2000, "2,000 probes stored", WAIT);

        ab.get(0).kill();
        long killed = System.nanoTime();
        Await.until(() -> "interrupted".equals(snapshot(b, id).get("status")), "the killed replica's scan interrupted",
                WAIT);
        long noticedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
        assertThat(snapshot(c, id).get("status")).isEqualTo("interrupted");
        System.out.printf("SIGKILL of a: its scan interrupted on b after %d ms (lease %d ms)%n", noticedMs, lease.toMillis());
        // The lease, plus one renewal period of b's, plus the time a query takes on a busy machine.
        assertThat(noticedMs).isLessThan(lease.toMillis() * 2);

        var events = SseClient.all(b, "/api/scans/" + id + "/events");
        assertThat(signature(SseClient.all(c, "/api/scans/" + id + "/events"))).isEqualTo(signature(events));
        assertThat(SseClient.last(events)).containsEntry("status", "interrupted")
                .containsEntry("message", "the replica running this scan stopped before it finished");
        assertThat(events).filteredOn(e -> "done".equals(e.event())).hasSize(1);
        List<String> ports = events.stream().filter(e -> "port".equals(e.event()))
                .map(e -> e.data().get("ip") + ":" + e.data().get("port")).toList();
        assertThat(ports).hasSizeGreaterThan(2000).doesNotHaveDuplicates();
        // Every result a wrote is a row, once.
        Set<String> rows = new HashSet<>();
        String database = url.substring(url.lastIndexOf('/') + 1);
        try (Connection jdbc = DriverManager.getConnection(cluster.jdbcUrl(database), "postgres", "");
                ResultSet r = jdbc.createStatement().executeQuery(
                        "SELECT ip, port FROM port_results WHERE scan_id = '" + id + "'")) {
            while (r.next()) {
                assertThat(rows.add(r.getString(1) + ":" + r.getInt(2))).isTrue();
            }
        }
        assertThat(rows).containsExactlyInAnyOrderElementsOf(ports);
        long openEvents = events.stream().filter(e -> "port".equals(e.event()) && "open".equals(e.data().get("state"))).count();
        assertThat((List<?>) snapshot(b, id).get("openPorts")).hasSize((int) openEvents);

        // b restarts: the interrupted scan is still there, with the same events.
        assertThat(ab.get(1).terminate()).isIn(0, 130, 143);
        PortFluxProcess again = replicas(url, lease, Duration.ofSeconds(1), "b2").get(0);
        assertThat(ids(again.client())).contains(id);
        assertThat(signature(SseClient.all(again.client(), "/api/scans/" + id + "/events"))).isEqualTo(signature(events));
    }

    @Test
    void aStreamTicketFromOneReplicaOpensTheScanOnTheOthersAndAfterARestart() throws Exception {
        // A Service without session affinity sends the page's POST to one pod and its EventSource to another: a ticket
        // must open the scan's stream on every replica that shares the tokens, and, within its TTL, after the replica
        // that issued it restarted (the scan is in the store, not in that process).
        String url = cluster.newDatabase();
        String token = "replicas-share-this-token-0123456789";
        String[] auth = {"--portflux.security.tokens=" + token + ",a-second-token-for-rotation-42"};
        List<PortFluxProcess> ab = replicas(url, Duration.ofSeconds(10), Duration.ofSeconds(1), auth, "a", "b");
        WebTestClient a = withToken(ab.get(0).client(), token);
        WebTestClient b = ab.get(1).client();

        Map<?, ?> started = a.post().uri("/api/scans").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"targets\":\"127.0.0.1\",\"ports\":\"1-200\",\"report\":\"all\"}")
                .exchange().expectStatus().isAccepted().expectBody(Map.class).returnResult().getResponseBody();
        String id = (String) started.get("id");
        String ticket = (String) started.get("ticket");
        assertThat(ticket).as("a ticket in the answer of a").isNotBlank();

        // On b, with the ticket of a and no token.
        b.get().uri("/api/scans/" + id + "/events").exchange().expectStatus().isUnauthorized();
        List<ServerSentEvent<Map<String, Object>>> onB = SseClient.all(b, "/api/scans/" + id + "/events?ticket=" + ticket);
        assertThat(SseClient.last(onB)).containsEntry("status", "completed");
        assertThat(SseClient.names(onB).stream().filter("port"::equals).count()).isEqualTo(200);

        // A fresh ticket from b opens the download on a.
        Map<?, ?> fresh = withToken(b, token).post().uri("/api/scans/" + id + "/tickets").exchange()
                .expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody();
        ab.get(0).client().get().uri("/api/scans/" + id + "/results?format=csv&ticket={t}", fresh.get("ticket"))
                .exchange().expectStatus().isOk();

        // a restarts: its first ticket still opens the stream there, and still only for its own scan.
        assertThat(ab.get(0).terminate()).isIn(0, 130, 143);
        WebTestClient again = replicas(url, Duration.ofSeconds(10), Duration.ofSeconds(1), auth, "a2").get(0).client();
        assertThat(signature(SseClient.all(again, "/api/scans/" + id + "/events?ticket=" + ticket)))
                .isEqualTo(signature(onB));
        again.get().uri("/api/scans/other-scan/events?ticket={t}", ticket).exchange().expectStatus().isUnauthorized();
    }

    private static WebTestClient withToken(WebTestClient client, String token) {
        return client.mutate().defaultHeader("Authorization", "Bearer " + token).build();
    }
}
