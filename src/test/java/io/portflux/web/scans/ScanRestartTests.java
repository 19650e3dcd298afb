package io.portflux.web.scans;

import static io.portflux.testing.SseClient.last;
import static org.assertj.core.api.Assertions.assertThat;

import io.portflux.testing.ListenerPool;
import io.portflux.testing.PortFluxProcess;
import io.portflux.testing.SseClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * ScanRestartTests run PortFlux as a child process on the embedded store (an H2 file, no database settings
 * beyond its directory) and restart it: finished scans, and scans stopped by SIGTERM, are there after the
 * restart with every event; a scan whose process was killed with SIGKILL comes back {@code interrupted}.
 */
class ScanRestartTests {

    @TempDir
    Path dir;

    private final ListenerPool listeners = new ListenerPool();

    @AfterEach
    void closeListeners() throws Exception {
        listeners.close();
    }

    private PortFluxProcess server(String name) throws Exception {
        // An empty spring.r2dbc.url means the default: the embedded H2 file under portflux.store.path.
        return PortFluxProcess.start(dir, name, "--spring.r2dbc.url=", "--portflux.store.path=" + dir.resolve("store"));
    }

    private static String start(WebTestClient client, String json) {
        Map<?, ?> body = client.post().uri("/api/scans").contentType(MediaType.APPLICATION_JSON).bodyValue(json)
                .exchange().expectStatus().isAccepted().expectBody(Map.class).returnResult().getResponseBody();
        return (String) body.get("id");
    }

    // Waits until the scan has started and is held up by its filtered ports.
    private static void awaitStarted(WebTestClient client, String id) {
        List<ServerSentEvent<Map<String, Object>>> first = SseClient.stream(client, "/api/scans/" + id + "/events")
                .take(1).collectList().block(Duration.ofSeconds(30));
        assertThat(first).extracting(ServerSentEvent::event).containsExactly("started");
    }

    private static List<String> signature(List<ServerSentEvent<Map<String, Object>>> events) {
        return events.stream().map(e -> e.id() + ":" + e.event() + ":" + e.data()).toList();
    }

    @Test
    void finishedAndShutDownScansSurviveARestartAndAKilledOneComesBackInterrupted() throws Exception {
        int open = listeners.open();
        String slow = "{\"targets\":\"127.0.0.1\",\"ports\":\"" + listeners.fullQueues(2) + "\",\"timeout\":\"30s\",\"retries\":0}";

        PortFluxProcess first = server("first");
        String finished;
        String shutDown;
        List<ServerSentEvent<Map<String, Object>>> live;
        try {
            WebTestClient client = first.client();
            finished = start(client, "{\"targets\":\"127.0.0.1\",\"ports\":\"" + open + ",1-50\",\"report\":\"all\"}");
            live = SseClient.all(client, "/api/scans/" + finished + "/events");
            assertThat(last(live)).containsEntry("status", "completed");
            shutDown = start(client, slow);
            awaitStarted(client, shutDown);
            assertThat(first.terminate()).as(first.log()).isIn(0, 130, 143);
        } finally {
            first.close();
        }
        assertThat(dir.resolve("store/portflux.mv.db")).as("the embedded store's file").exists();

        PortFluxProcess second = server("second");
        String killed;
        try {
            WebTestClient client = second.client();
            assertThat(ids(client)).containsExactly(shutDown, finished);
            assertThat(signature(SseClient.all(client, "/api/scans/" + finished + "/events"))).isEqualTo(signature(live));
            client.get().uri("/api/scans/" + finished).exchange().expectStatus().isOk().expectBody()
                    .jsonPath("$.status").isEqualTo("completed")
                    .jsonPath("$.openPorts[0].port").isEqualTo(open);
            // SIGTERM ended the running scan with its terminal event, and that event was stored before exit.
            var stopped = SseClient.all(client, "/api/scans/" + shutDown + "/events");
            assertThat(last(stopped)).containsEntry("status", "cancelled").containsEntry("message", "server is shutting down");

            killed = start(client, slow);
            awaitStarted(client, killed);
            second.kill();
        } finally {
            second.close();
        }

        PortFluxProcess third = server("third");
        try {
            WebTestClient client = third.client();
            assertThat(ids(client)).containsExactly(killed, shutDown, finished);
            client.get().uri("/api/scans/" + killed).exchange().expectStatus().isOk().expectBody()
                    .jsonPath("$.status").isEqualTo("interrupted")
                    .jsonPath("$.finishedAt").exists();
            var events = SseClient.all(client, "/api/scans/" + killed + "/events");
            assertThat(last(events)).containsEntry("status", "interrupted")
                    .containsEntry("message", "the replica running this scan stopped before it finished");
            assertThat(events).filteredOn(e -> "done".equals(e.event())).hasSize(1);
            for (int i = 0; i < events.size(); i++) {
                assertThat(events.get(i).id()).isEqualTo(String.valueOf(i + 1));
            }
            // Interrupted scans leave the running list, so nothing stays "running" forever.
            assertThat(ids(client, "?status=running")).isEmpty();
        } finally {
            third.close();
        }
    }

    private static List<Object> ids(WebTestClient client) {
        return ids(client, "");
    }

    private static List<Object> ids(WebTestClient client, String query) {
        List<?> list = client.get().uri("/api/scans" + query).exchange().expectStatus().isOk()
                .expectBody(List.class).returnResult().getResponseBody();
        return list.stream().map(s -> ((Map<?, ?>) s).get("id")).map(Object.class::cast).toList();
    }
}
