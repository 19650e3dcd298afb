package io.portflux.web.scans;

import static io.portflux.testing.SseClient.last;
import static org.assertj.core.api.Assertions.assertThat;

import io.portflux.testing.Await;
import io.portflux.testing.ListenerPool;
import io.portflux.testing.SseClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * StoredScansTests check that a background scan is served from the store once this process no longer holds
 * it: the same snapshot, the same events in the same order, {@code Last-Event-ID} resumes, and the list's
 * filters and paging.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"portflux.scans.max-retained=50", "portflux.store.batch-size=16"})
@AutoConfigureWebTestClient(timeout = "60s")
class StoredScansTests {

    @Autowired
    WebTestClient client;

    @Autowired
    ScanRegistry registry;

    private final ListenerPool listeners = new ListenerPool();

    @AfterEach
    void closeListeners() throws Exception {
        listeners.close();
    }

    private String runToCompletion(String json) throws Exception {
        Map<?, ?> body = client.post().uri("/api/scans").contentType(MediaType.APPLICATION_JSON).bodyValue(json)
                .exchange().expectStatus().isAccepted().expectBody(Map.class).returnResult().getResponseBody();
        String id = (String) body.get("id");
        assertThat(last(SseClient.all(client, "/api/scans/" + id + "/events"))).containsKey("status");
        // Once every event is stored, the process lets go of its copy and the store serves the scan.
        Await.until(() -> registry.local(id) == null, "scan " + id + " fully stored");
        return id;
    }

    private static List<String> signature(List<ServerSentEvent<Map<String, Object>>> events) {
        return events.stream().map(e -> e.id() + ":" + e.event() + ":" + e.data()).toList();
    }

    @Test
    void aFinishedScanIsReplayedFromTheStoreExactlyAsItRanAndResumes() throws Exception {
        int open = listeners.open();
        String json = "{\"targets\":\"127.0.0.1\",\"ports\":\"" + open + ",1-300\",\"report\":\"all\",\"order\":\"sequential\"}";
        Map<?, ?> body = client.post().uri("/api/scans").contentType(MediaType.APPLICATION_JSON).bodyValue(json)
                .exchange().expectStatus().isAccepted().expectBody(Map.class).returnResult().getResponseBody();
        String id = (String) body.get("id");
        var live = SseClient.all(client, "/api/scans/" + id + "/events");
        assertThat(last(live)).containsEntry("status", "completed");
        Map<?, ?> liveSnapshot = client.get().uri("/api/scans/" + id).exchange().expectStatus().isOk()
                .expectBody(Map.class).returnResult().getResponseBody();
        Await.until(() -> registry.local(id) == null, "scan fully stored");

        var replayed = SseClient.all(client, "/api/scans/" + id + "/events");
        assertThat(signature(replayed)).isEqualTo(signature(live));
        // Every one of the 301 port events is there, once.
        assertThat(replayed).filteredOn(e -> "port".equals(e.event())).hasSize(301);
        Map<?, ?> storedSnapshot = client.get().uri("/api/scans/" + id).exchange().expectStatus().isOk()
                .expectBody(Map.class).returnResult().getResponseBody();
        assertThat(storedSnapshot).isEqualTo(liveSnapshot);
        assertThat(storedSnapshot.get("openPorts")).asList().hasSize(1);

        var resumed = client.get().uri("/api/scans/" + id + "/events").header("Last-Event-ID", "10")
                .accept(MediaType.TEXT_EVENT_STREAM).exchange().expectStatus().isOk()
                .returnResult(SseClient.EVENT).getResponseBody().collectList().block(Duration.ofSeconds(30));
        assertThat(signature(resumed)).isEqualTo(signature(live).subList(10, live.size()));
        // A resume at or past the end still ends on the terminal event, so the client knows the scan is over.
        var pastTheEnd = SseClient.all(client, "/api/scans/" + id + "/events?lastEventId=" + live.get(live.size() - 1).id());
        assertThat(signature(pastTheEnd)).containsExactly(signature(live).get(live.size() - 1));

        // Cancelling a finished scan leaves it as it is.
        client.delete().uri("/api/scans/" + id).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.status").isEqualTo("completed");
        client.post().uri("/api/scans/" + id + "/tickets").exchange().expectStatus().isCreated();
    }

    @Test
    void theListFiltersByStatusTargetAndTimeAndPagesNewestFirst() throws Exception {
        Instant before = Instant.now();
        String first = runToCompletion("{\"targets\":\"127.0.0.1\",\"ports\":\"1\"}");
        String second = runToCompletion("{\"targets\":\"127.0.0.2\",\"ports\":\"1\"}");
        String third = runToCompletion("{\"targets\":\"127.0.0.2,127.0.0.3\",\"ports\":\"2\"}");

        assertThat(ids("/api/scans?since=" + before)).containsExactly(third, second, first);
        assertThat(ids("/api/scans?since=" + before + "&target=127.0.0.2")).containsExactly(third, second);
        assertThat(ids("/api/scans?since=" + before + "&size=2&page=1")).containsExactly(first);
        assertThat(ids("/api/scans?since=" + before + "&status=completed")).containsExactly(third, second, first);
        assertThat(ids("/api/scans?since=" + before + "&status=interrupted")).isEmpty();
        assertThat(ids("/api/scans?until=" + before)).doesNotContain(first, second, third);
    }

    @Test
    void badListParametersAre400ProblemsNamingTheFieldAndValue() {
        for (String[] bad : List.of(
                new String[] {"status=finished", "status", "finished"},
                new String[] {"since=yesterday", "since", "yesterday"},
                new String[] {"size=0", "size", "0"},
                new String[] {"size=100000", "size", "100000"},
                new String[] {"page=-1", "page", "-1"},
                new String[] {"since=2026-01-02T00:00:00Z&until=2026-01-01T00:00:00Z", "until", "2026-01-01T00:00:00Z"})) {
            client.get().uri("/api/scans?" + bad[0]).exchange().expectStatus().isBadRequest()
                    .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                    .expectBody().jsonPath("$.field").isEqualTo(bad[1]).jsonPath("$.value").isEqualTo(bad[2]);
        }
    }

    private List<Object> ids(String uri) {
        List<?> list = client.get().uri(uri).exchange().expectStatus().isOk()
                .expectBody(List.class).returnResult().getResponseBody();
        return list.stream().map(s -> ((Map<?, ?>) s).get("id")).map(Object.class::cast).toList();
    }
}
