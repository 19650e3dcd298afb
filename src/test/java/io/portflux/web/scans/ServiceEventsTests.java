package io.portflux.web.scans;

import static io.portflux.testing.SseClient.last;
import static org.assertj.core.api.Assertions.assertThat;

import io.portflux.testing.Await;
import io.portflux.testing.ListenerPool;
import io.portflux.testing.SseClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * ServiceEventsTests check service detection end to end, with detection on by default as in production: the
 * {@code service} event after the {@code port} event, {@code done} and snapshots carrying what was found,
 * the store replaying it, and {@code detect=off}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "portflux.detect.enabled=true")
@AutoConfigureWebTestClient(timeout = "60s")
class ServiceEventsTests {

    @Autowired
    WebTestClient client;

    @Autowired
    ScanRegistry registry;

    private final ListenerPool listeners = new ListenerPool();
    private ServerSocket ssh;
    private Thread greeter;

    /** A loopback server that greets every connection as an SSH server and closes it. */
    @BeforeEach
    void startSsh() throws IOException {
        ssh = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        greeter = new Thread(() -> {
            while (!ssh.isClosed()) {
                try (Socket s = ssh.accept()) {
                    s.getOutputStream().write("SSH-2.0-FakeSSH_4.2 test\r\n".getBytes(StandardCharsets.US_ASCII));
                    s.getOutputStream().flush();
                    s.getInputStream().read(); // until the detector closes
                } catch (IOException e) {
                    // closed by the detector, or the test is over
                }
            }
        }, "fake-ssh");
        greeter.setDaemon(true);
        greeter.start();
    }

    @AfterEach
    void stop() throws Exception {
        ssh.close();
        greeter.join(5_000);
        listeners.close();
    }

    private static List<String> kinds(List<ServerSentEvent<Map<String, Object>>> events) {
        return events.stream().map(ServerSentEvent::event).filter(e -> !"progress".equals(e)).toList();
    }

    @Test
    void aStreamedScanSendsTheServiceEventAfterThePortEventAndDoneCarriesIt() {
        int port = ssh.getLocalPort();
        var events = SseClient.all(client, "/api/scan?targets=127.0.0.1&ports=" + port);
        assertThat(kinds(events)).containsExactly("started", "port", "service", "done");
        Map<String, Object> service = events.stream().filter(e -> "service".equals(e.event())).findFirst()
                .orElseThrow().data();
        assertThat(service).containsEntry("port", port).containsEntry("ip", "127.0.0.1")
                .containsEntry("service", "ssh").containsEntry("product", "FakeSSH").containsEntry("version", "4.2")
                .containsEntry("method", "probed").containsEntry("banner", "SSH-2.0-FakeSSH_4.2 test");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> open = (List<Map<String, Object>>) last(events).get("openPorts");
        assertThat(open).singleElement().satisfies(p -> assertThat(p).containsEntry("service", "ssh")
                .containsEntry("product", "FakeSSH").containsEntry("version", "4.2").containsEntry("method", "probed"));
    }

    @Test
    void detectOffSendsNoServiceEvent() {
        var events = SseClient.all(client, "/api/scan?targets=127.0.0.1&detect=off&ports=" + ssh.getLocalPort());
        assertThat(kinds(events)).containsExactly("started", "port", "done");
    }

    @Test
    void aBackgroundScansSnapshotAndReplayCarryTheServiceFromTheStore() throws Exception {
        int port = ssh.getLocalPort();
        int silent = listeners.open();
        String json = "{\"targets\":\"127.0.0.1\",\"ports\":\"" + port + "," + silent + "\",\"order\":\"sequential\"}";
        Map<?, ?> body = client.post().uri("/api/scans").contentType(MediaType.APPLICATION_JSON).bodyValue(json)
                .exchange().expectStatus().isAccepted().expectBody(Map.class).returnResult().getResponseBody();
        String id = (String) body.get("id");
        var live = SseClient.all(client, "/api/scans/" + id + "/events");
        assertThat(last(live)).containsEntry("status", "completed");
        Await.until(() -> registry.local(id) == null, "scan " + id + " fully stored");

        var replayed = SseClient.all(client, "/api/scans/" + id + "/events");
        assertThat(replayed.stream().map(e -> e.id() + e.event() + e.data()).toList())
                .isEqualTo(live.stream().map(e -> e.id() + e.event() + e.data()).toList());
        assertThat(kinds(replayed)).filteredOn("service"::equals).hasSize(2);

        Map<?, ?> snapshot = client.get().uri("/api/scans/" + id).exchange().expectStatus().isOk()
                .expectBody(Map.class).returnResult().getResponseBody();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> open = (List<Map<String, Object>>) snapshot.get("openPorts");
        assertThat(open).hasSize(2);
        assertThat(open.get(0)).containsEntry("port", Math.min(port, silent));
        Map<String, Object> sshPort = open.stream().filter(p -> p.get("port").equals(port)).findFirst().orElseThrow();
        assertThat(sshPort).containsEntry("service", "ssh").containsEntry("product", "FakeSSH")
                .containsEntry("version", "4.2").containsEntry("method", "probed");
        Map<String, Object> silentPort = open.stream().filter(p -> p.get("port").equals(silent)).findFirst().orElseThrow();
        assertThat(silentPort).containsEntry("method", "table").doesNotContainKey("product");
    }
}
