package io.portflux.web.scans;

import static io.portflux.testing.SseClient.last;
import static io.portflux.testing.SseClient.number;
import static org.assertj.core.api.Assertions.assertThat;

import io.portflux.probe.ConnectProber;
import io.portflux.testing.Await;
import io.portflux.testing.ListenerPool;
import io.portflux.testing.Listeners;
import io.portflux.testing.SseClient;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.Disposable;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"portflux.scans.max-running=3", "portflux.scans.max-retained=50"})
@AutoConfigureWebTestClient(timeout = "60s")
class ScanResourceControllerTests {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @Autowired
    WebTestClient client;

    @Autowired
    ConnectProber prober;

    @Autowired
    ScanRegistry registry;

    private final ListenerPool listeners = new ListenerPool();
    private final List<String> started = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        // Evicted scans are gone already; only running ones need stopping.
        registry.local().stream().filter(s -> started.contains(s.id())).forEach(s -> registry.cancel(s.id()).block(Duration.ofSeconds(30)));
        Await.until(() -> registry.running() == 0, "all background scans stopped");
        listeners.close();
    }

    private String start(String json) {
        Map<?, ?> body = client.post().uri("/api/scans").contentType(MediaType.APPLICATION_JSON).bodyValue(json)
                .exchange()
                .expectStatus().isAccepted()
                .expectHeader().value("Location", l -> assertThat(l).startsWith("/api/scans/"))
                .expectBody(Map.class).returnResult().getResponseBody();
        String id = (String) body.get("id");
        started.add(id);
        assertThat(((Map<?, ?>) body.get("links")).get("events")).isEqualTo("/api/scans/" + id + "/events");
        return id;
    }

    private static List<String> signature(List<ServerSentEvent<Map<String, Object>>> events) {
        return events.stream().map(e -> e.id() + ":" + e.event() + ":" + e.data()).toList();
    }

    @Test
    void startsInTheBackgroundAndTwoWatchersOneLateSeeIdenticalSequences() throws Exception {
        int open = listeners.open();
        String id = start("{\"targets\":\"127.0.0.1\",\"ports\":\"" + open + ",1-200\",\"report\":\"all\"}");
        var early = SseClient.all(client, "/api/scans/" + id + "/events");
        assertThat(last(early)).containsEntry("status", "completed");
        var late = SseClient.all(client, "/api/scans/" + id + "/events");
        assertThat(signature(late)).isEqualTo(signature(early));
        assertThat(early.get(0).event()).isEqualTo("started");
        assertThat(number(last(early), "open")).isEqualTo(1);

        client.get().uri("/api/scans/" + id).exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.status").isEqualTo("completed")
                .jsonPath("$.request.targets").isEqualTo("127.0.0.1")
                .jsonPath("$.total").isEqualTo(number(last(early), "total"))
                .jsonPath("$.scanned").isEqualTo(number(last(early), "total"))
                .jsonPath("$.openPorts[0].port").isEqualTo(open)
                .jsonPath("$.startedAt").exists()
                .jsonPath("$.finishedAt").exists();
    }

    @Test
    void theEmbeddedStoreRunsADistributeOnScanAloneWithTheEventsOfAnyOtherScan() throws Exception {
        // One process on H2: distribution needs PostgreSQL, so distribute=on changes nothing.
        // At 100 probes a second the scan runs for about 2 s, so it is still in this process's registry when looked
        // for: the tests forget a finished scan as soon as it is stored (local-grace 0s), and 201 unpaced loopback
        // probes could finish and be stored before the check.
        int open = listeners.open();
        String id = start("{\"targets\":\"127.0.0.1\",\"ports\":\"" + open + ",1-200\",\"report\":\"all\","
                + "\"distribute\":\"on\",\"rate\":100}");
        assertThat(registry.local()).anyMatch(scan -> scan.id().equals(id));
        var events = SseClient.all(client, "/api/scans/" + id + "/events");
        assertThat(last(events)).containsEntry("status", "completed");
        assertThat(events).noneMatch(e -> "shard".equals(e.event()))
                .filteredOn(e -> "progress".equals(e.event())).allMatch(e -> !e.data().containsKey("shards"));
        client.get().uri("/api/scans/" + id).exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.status").isEqualTo("completed")
                .jsonPath("$.request.distribute").isEqualTo("on")
                .jsonPath("$.shards").doesNotExist();
    }

    @Test
    void aSnapshotAndTheListAnswerBeforeTheFirstProgressEvent() throws Exception {
        // Every probe waits on a full accept queue for 10 s, so no progress event exists yet.
        String id = start("{\"targets\":\"127.0.0.1\",\"ports\":\"" + listeners.fullQueues(2)
                + "\",\"timeout\":\"10s\",\"retries\":0}");
        Await.until(() -> prober.inFlight() == 2, "both probes in flight");

        client.get().uri("/api/scans/" + id).exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.status").isEqualTo("running")
                .jsonPath("$.total").isEqualTo(2)
                .jsonPath("$.scanned").isEqualTo(0)
                .jsonPath("$.elapsedMs").doesNotExist();
        client.get().uri("/api/scans").exchange().expectStatus().isOk().expectBody()
                .jsonPath("$[?(@.id == '" + id + "')].status").isEqualTo("running");
        client.delete().uri("/api/scans/" + id).exchange().expectStatus().is2xxSuccessful();
    }

    @Test
    void idsAreRandomNotSequential() {
        String a = start("{\"targets\":\"127.0.0.1\",\"ports\":\"1\"}");
        String b = start("{\"targets\":\"127.0.0.1\",\"ports\":\"1\"}");
        assertThat(a).hasSize(22).isNotEqualTo(b).matches("[A-Za-z0-9_-]+");
    }

    @Test
    void lastEventIdResumesExactlyAfterTheGivenId() throws Exception {
        int open = listeners.open();
        String id = start("{\"targets\":\"127.0.0.1\",\"ports\":\"" + open + ",1-100\",\"report\":\"all\"}");
        var all = SseClient.all(client, "/api/scans/" + id + "/events");
        List<String> ids = all.stream().map(ServerSentEvent::id).toList();

        var resumed = client.get().uri("/api/scans/" + id + "/events").header("Last-Event-ID", "5")
                .accept(MediaType.TEXT_EVENT_STREAM).exchange().expectStatus().isOk()
                .returnResult(SseClient.EVENT).getResponseBody().collectList().block(Duration.ofSeconds(30));
        assertThat(resumed.stream().map(ServerSentEvent::id).toList()).isEqualTo(ids.subList(5, ids.size()));

        var byQuery = SseClient.all(client, "/api/scans/" + id + "/events?lastEventId=" + ids.get(ids.size() - 2));
        assertThat(byQuery).extracting(ServerSentEvent::event).containsExactly("done");

        client.get().uri("/api/scans/" + id + "/events").header("Last-Event-ID", "seven").exchange()
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.detail").value(d -> assertThat((String) d).contains("Last-Event-ID").contains("seven"));
    }

    @Test
    void cancelStopsTheProbesAndEveryWatcherGetsCancelled() throws Exception {
        String id = start("{\"targets\":\"127.0.0.1\",\"ports\":\"" + listeners.fullQueues(3) + "\",\"timeout\":\"20s\",\"retries\":5}");
        List<ServerSentEvent<Map<String, Object>>> watched = new CopyOnWriteArrayList<>();
        Disposable watcher = SseClient.stream(client, "/api/scans/" + id + "/events").subscribe(watched::add);
        Await.until(() -> prober.inFlight() >= 3, "probes in flight");
        client.get().uri("/api/scans/" + id).exchange().expectBody().jsonPath("$.status").isEqualTo("running");

        client.delete().uri("/api/scans/" + id).exchange().expectStatus().isOk();

        Await.until(() -> prober.inFlight() == 0, "in-flight probes back to 0");
        Await.until(() -> !watched.isEmpty() && "done".equals(watched.get(watched.size() - 1).event()), "watcher got done");
        assertThat(last(watched)).containsEntry("status", "cancelled").containsEntry("message", "cancelled by request");
        client.get().uri("/api/scans/" + id).exchange().expectBody().jsonPath("$.status").isEqualTo("cancelled");
        watcher.dispose();
    }

    @Test
    void aWatcherThatHangsUpLeavesTheScanRunning() throws Exception {
        String id = start("{\"targets\":\"127.0.0.1\",\"ports\":\"" + listeners.fullQueues(1) + "\",\"timeout\":\"2s\",\"retries\":0}");
        var first = SseClient.stream(client, "/api/scans/" + id + "/events").take(1).collectList().block(Duration.ofSeconds(10));
        assertThat(first).extracting(ServerSentEvent::event).containsExactly("started");
        Await.until(() -> registry.local(id).journal().followers() == 0, "the watcher is gone");
        assertThat(registry.local(id).status()).isEqualTo(io.portflux.scan.ScanStatus.RUNNING);
        var rest = SseClient.all(client, "/api/scans/" + id + "/events");
        assertThat(last(rest)).containsEntry("status", "completed");
        assertThat(number(last(rest), "filtered")).isEqualTo(1);
    }

    @Test
    void aSlowWatcherDoesNotDelayAFastOne() throws Exception {
        int open = listeners.open();
        String id = start("{\"targets\":\"127.0.0.1\",\"ports\":\"" + listeners.fullQueues(1) + "," + open
                + "\",\"timeout\":\"1s\",\"retries\":0,\"report\":\"all\"}");
        // The slow watcher asks for one event and then reads nothing more.
        List<ServerSentEvent<Map<String, Object>>> slow = new CopyOnWriteArrayList<>();
        var slowSubscriber = new reactor.core.publisher.BaseSubscriber<ServerSentEvent<Map<String, Object>>>() {
            @Override
            protected void hookOnSubscribe(org.reactivestreams.Subscription s) {
                s.request(1);
            }

            @Override
            protected void hookOnNext(ServerSentEvent<Map<String, Object>> e) {
                slow.add(e);
            }
        };
        SseClient.stream(client, "/api/scans/" + id + "/events").subscribe(slowSubscriber);
        var fast = SseClient.all(client, "/api/scans/" + id + "/events");
        assertThat(last(fast)).containsEntry("status", "completed");
        assertThat(slow).hasSize(1);
        slowSubscriber.dispose();
    }

    @Test
    void unknownIdsAre404Problems() {
        for (var spec : List.of(client.get().uri("/api/scans/nope"), client.get().uri("/api/scans/nope/events"),
                client.delete().uri("/api/scans/nope"))) {
            spec.exchange().expectStatus().isNotFound()
                    .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                    .expectBody().jsonPath("$.detail").value(d -> assertThat((String) d).contains("nope"));
        }
    }

    @Test
    void badBodiesGetTheSameProblemsAsTheStream() {
        client.post().uri("/api/scans").contentType(MediaType.APPLICATION_JSON).bodyValue("{\"targets\":\"127.0.0.1\",\"ports\":\"0\"}")
                .exchange().expectStatus().isBadRequest()
                .expectBody().jsonPath("$.field").isEqualTo("ports").jsonPath("$.value").isEqualTo("0");
        client.post().uri("/api/scans").contentType(MediaType.APPLICATION_JSON).bodyValue("{\"targets\":\"10.1.2.3\"}")
                .exchange().expectStatus().isForbidden()
                .expectBody().jsonPath("$.detail").value(d -> assertThat((String) d).contains("10.1.2.3"));
        client.post().uri("/api/scans").contentType(MediaType.APPLICATION_JSON).bodyValue("{\"targets\":\"127.0.0.0/16\",\"ports\":\"all\"}")
                .exchange().expectStatus().isEqualTo(413);
        client.post().uri("/api/scans").contentType(MediaType.APPLICATION_JSON).bodyValue("{\"targets\":")
                .exchange().expectStatus().isBadRequest()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON);
        assertThat(registry.running()).isZero();
    }

    @Test
    void pastTheRunningLimitA429WithRetryAfter() throws Exception {
        String ports = listeners.fullQueues(1);
        for (int i = 0; i < 3; i++) {
            start("{\"targets\":\"127.0.0.1\",\"ports\":\"" + ports + "\",\"timeout\":\"20s\",\"retries\":3}");
        }
        client.post().uri("/api/scans").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"targets\":\"127.0.0.1\",\"ports\":\"" + ports + "\"}")
                .exchange().expectStatus().isEqualTo(429)
                .expectHeader().exists("Retry-After")
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON);
        registry.cancel(started.get(0)).block(Duration.ofSeconds(30));
        Await.until(() -> registry.running() == 2, "one slot free");
        start("{\"targets\":\"127.0.0.1\",\"ports\":\"" + ports + "\",\"timeout\":\"20s\"}");
    }

    @Test
    void theListIsNewestFirstAndRetentionEvictsFinishedScans() throws Exception {
        String older = start("{\"targets\":\"127.0.0.1\",\"ports\":\"1\"}");
        SseClient.all(client, "/api/scans/" + older + "/events");
        String newer = start("{\"targets\":\"127.0.0.1\",\"ports\":\"2\"}");
        SseClient.all(client, "/api/scans/" + newer + "/events");
        List<?> list = client.get().uri("/api/scans").exchange().expectStatus().isOk()
                .expectBody(List.class).returnResult().getResponseBody();
        List<Object> ids = list.stream().map(s -> ((Map<?, ?>) s).get("id")).collect(Collectors.toList());
        assertThat(ids.indexOf(newer)).isLessThan(ids.indexOf(older)).isNotNegative();

        registry.expire(Instant.now().plus(Duration.ofHours(2))).block(Duration.ofSeconds(30));
        client.get().uri("/api/scans/" + older).exchange().expectStatus().isNotFound();
        client.get().uri("/api/scans/" + newer).exchange().expectStatus().isNotFound();
    }
}
