package io.portflux.web.stream;

import static io.portflux.testing.SseClient.last;
import static org.assertj.core.api.Assertions.assertThat;

import io.portflux.PortFluxApplication;
import io.portflux.config.TestHttpClients;
import io.portflux.testing.Await;
import io.portflux.testing.Listeners;
import io.portflux.testing.SseClient;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;

/** ShutdownTests close a running application with open streams, as SIGTERM does. */
class ShutdownTests {

    @Test
    @Timeout(120)
    void closingTheContextEndsEveryOpenStreamWithACancelledDone() throws Exception {
        try (Listeners.FullQueue slow = new Listeners.FullQueue(InetAddress.getLoopbackAddress())) {
            ConfigurableApplicationContext context = new SpringApplicationBuilder(PortFluxApplication.class)
                    // A phase timeout far beyond the test's own: if open streams held graceful shutdown
                    // up, closing would outlast the @Timeout below.
                    .run("--server.port=0", "--spring.lifecycle.timeout-per-shutdown-phase=10m");
            int port = ((WebServerApplicationContext) context).getWebServer().getPort();
            WebTestClient client = WebTestClient.bindToServer(TestHttpClients.connector()).baseUrl("http://127.0.0.1:" + port)
                    .responseTimeout(Duration.ofSeconds(30)).build();
            String ports = Integer.toString(slow.address().getPort());

            CompletableFuture<List<ServerSentEvent<Map<String, Object>>>> oneShot = SseClient.stream(client,
                            "/api/scan?targets=127.0.0.1&ports=" + ports + "&timeout=20s&retries=5")
                    .collectList().toFuture();
            Map<?, ?> created = client.post().uri("/api/scans").contentType(MediaType.APPLICATION_JSON)
                    .bodyValue("{\"targets\":\"127.0.0.1\",\"ports\":\"" + ports + "\",\"timeout\":\"20s\",\"retries\":5}")
                    .exchange().expectStatus().isAccepted().expectBody(Map.class).returnResult().getResponseBody();
            CompletableFuture<List<ServerSentEvent<Map<String, Object>>>> watcher = SseClient.stream(client,
                    "/api/scans/" + created.get("id") + "/events").collectList().toFuture();
            ShutdownSignal signal = context.getBean(ShutdownSignal.class);
            Await.until(() -> signal.openStreams() == 2, "both streams open");

            context.close();

            for (var stream : List.of(oneShot, watcher)) {
                var events = stream.get();
                assertThat(events.get(events.size() - 1).event()).isEqualTo("done");
                assertThat(last(events)).containsEntry("status", "cancelled")
                        .containsEntry("message", "server is shutting down");
            }
        }
    }
}
