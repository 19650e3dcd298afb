package io.portflux.web.scans;

import static io.portflux.testing.SseClient.last;
import static org.assertj.core.api.Assertions.assertThat;

import io.portflux.testing.Await;
import io.portflux.testing.ListenerPool;
import io.portflux.testing.PortFluxProcess;
import io.portflux.testing.PostgresCluster;
import io.portflux.testing.SseClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * ReplicasTests run two PortFlux processes on one PostgreSQL: a scan started on replica A is listed,
 * watched (replay, then live until done) and resumed through replica B with the same events in the same
 * order, and a cancel sent to B stops it on A.
 */
class ReplicasTests {

    @RegisterExtension
    static final PostgresCluster cluster = new PostgresCluster();

    @TempDir
    Path dir;

    private final ListenerPool listeners = new ListenerPool();

    @AfterEach
    void closeListeners() throws Exception {
        listeners.close();
    }

    private PortFluxProcess replica(String name, String url) throws Exception {
        return PortFluxProcess.start(dir, name, "--spring.r2dbc.url=" + url, "--spring.r2dbc.username=postgres",
                "--portflux.store.replica-id=" + name);
    }

    private static List<String> signature(List<ServerSentEvent<Map<String, Object>>> events) {
        return events.stream().map(e -> e.id() + ":" + e.event() + ":" + e.data()).toList();
    }

    private static String start(WebTestClient client, String json) {
        Map<?, ?> body = client.post().uri("/api/scans").contentType(MediaType.APPLICATION_JSON).bodyValue(json)
                .exchange().expectStatus().isAccepted().expectBody(Map.class).returnResult().getResponseBody();
        return (String) body.get("id");
    }

    @Test
    void aScanStartedOnOneReplicaIsListedWatchedResumedAndCancelledThroughAnother() throws Exception {
        String url = cluster.newDatabase();
        try (PortFluxProcess a = replica("a", url); PortFluxProcess b = replica("b", url)) {
            WebTestClient onA = a.client();
            WebTestClient onB = b.client();
            int open = listeners.open();
            // The full-queue port holds the scan up for two seconds, so B sees it running and follows it live.
            String id = start(onA, "{\"targets\":\"127.0.0.1\",\"ports\":\"" + listeners.fullQueues(1) + "," + open
                    + ",1-20\",\"timeout\":\"2s\",\"retries\":0,\"report\":\"all\"}");
            onB.get().uri("/api/scans/" + id).exchange().expectStatus().isOk().expectBody()
                    .jsonPath("$.status").isEqualTo("running");
            var watchedOnB = SseClient.all(onB, "/api/scans/" + id + "/events");
            var watchedOnA = SseClient.all(onA, "/api/scans/" + id + "/events");
            assertThat(last(watchedOnA)).containsEntry("status", "completed");
            assertThat(signature(watchedOnB)).isEqualTo(signature(watchedOnA));
            var resumedOnB = onB.get().uri("/api/scans/" + id + "/events").header("Last-Event-ID", "3")
                    .accept(MediaType.TEXT_EVENT_STREAM).exchange().expectStatus().isOk()
                    .returnResult(SseClient.EVENT).getResponseBody().collectList().block(Duration.ofSeconds(30));
            assertThat(signature(resumedOnB)).isEqualTo(signature(watchedOnA).subList(3, watchedOnA.size()));
            List<?> listed = onB.get().uri("/api/scans").exchange().expectStatus().isOk()
                    .expectBody(List.class).returnResult().getResponseBody();
            List<Object> listedIds = listed.stream().map(s -> (Object) ((Map<?, ?>) s).get("id")).toList();
            assertThat(listedIds).contains(id);

            String slow = start(onA, "{\"targets\":\"127.0.0.1\",\"ports\":\"" + listeners.fullQueues(2)
                    + "\",\"timeout\":\"30s\",\"retries\":0}");
            onB.delete().uri("/api/scans/" + slow).exchange().expectStatus().isOk();
            var stopped = SseClient.all(onA, "/api/scans/" + slow + "/events");
            assertThat(last(stopped)).containsEntry("status", "cancelled").containsEntry("message", "cancelled by request");
            Await.until(() -> "cancelled".equals(onB.get().uri("/api/scans/" + slow).exchange().expectBody(Map.class)
                    .returnResult().getResponseBody().get("status")), "B sees the scan cancelled");
        }
    }
}
