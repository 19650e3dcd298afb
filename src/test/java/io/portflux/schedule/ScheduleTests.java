package io.portflux.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.portflux.alerts.WebhookSigner;
import io.portflux.testing.Await;
import io.portflux.testing.ListenerPool;
import io.portflux.testing.Problems;
import io.portflux.testing.SseClient;
import io.portflux.testing.WebhookReceiver;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.json.JsonMapper;

/**
 * ScheduleTests run schedules every 2 s against loopback listeners on the embedded store, with webhook receivers
 * on loopback: a listener started between two runs is delivered once as closed → open with a valid signature; a
 * receiver that fails twice gets the same delivery on the third try; a tick during a long run is skipped; and bad
 * schedules are refused naming their field.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "60s")
class ScheduleTests {

    /** The tests' {@code portflux.alerts.secret} (src/test/resources/config/application.yaml). */
    static final String SECRET = "test-secret-for-hmac";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Autowired
    WebTestClient client;

    private final ListenerPool listeners = new ListenerPool();
    private final List<AutoCloseable> closing = new ArrayList<>();
    private final List<String> created = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (String id : created) {
            client.delete().uri("/api/schedules/" + id).exchange();
        }
        for (AutoCloseable c : closing) {
            c.close();
        }
        listeners.close();
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> create(String json) {
        Map<String, Object> body = client.post().uri("/api/schedules").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(json).exchange().expectStatus().isCreated()
                .expectBody(Map.class).returnResult().getResponseBody();
        created.add((String) body.get("id"));
        return body;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> get(String id) {
        return client.get().uri("/api/schedules/" + id).exchange().expectStatus().isOk()
                .expectBody(Map.class).returnResult().getResponseBody();
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> runs(String id) {
        return (List<Map<String, Object>>) get(id).get("runs");
    }

    private long completed(String id) {
        return runs(id).stream().filter(run -> "completed".equals(run.get("status"))).count();
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> deliveries(String id) {
        return client.get().uri("/api/schedules/" + id + "/deliveries").exchange().expectStatus().isOk()
                .expectBody(List.class).returnResult().getResponseBody();
    }

    private static int freePort() throws Exception {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    private WebhookReceiver receiver(int failures) throws Exception {
        WebhookReceiver receiver = new WebhookReceiver(failures);
        closing.add(receiver);
        return receiver;
    }

    private void listenOn(int port) throws Exception {
        closing.add(new ServerSocket(port, 50, InetAddress.getLoopbackAddress()));
    }

    private String schedule(String name, String ports, String webhook) {
        return (String) create("{\"name\":\"" + name + "\",\"cron\":\"*/2 * * * * *\",\"zone\":\"UTC\",\"enabled\":true,"
                + "\"scan\":{\"targets\":\"127.0.0.1\",\"ports\":\"" + ports + "\",\"report\":\"all\"},"
                + "\"alerts\":{\"webhook\":\"" + webhook + "\"}}").get("id");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(String json) {
        return JSON.readValue(json, Map.class);
    }

    @Test
    @SuppressWarnings("unchecked")
    void aListenerStartedBetweenTwoRunsIsDeliveredOnceAsClosedToOpenWithAValidSignature() throws Exception {
        int open = listeners.open();
        int late = freePort();
        WebhookReceiver receiver = receiver(0);
        String id = schedule("loopback", open + "," + late, receiver.url());
        CompletableFuture<ServerSentEvent<Map<String, Object>>> changedRun = SseClient.stream(client,
                        "/api/schedules/" + id + "/events")
                .filter(e -> "run".equals(e.event()) && e.data().get("changeCount") instanceof Number n && n.intValue() > 0)
                .next().toFuture();

        Await.until(() -> completed(id) >= 1, "a first completed run", WAIT);
        listenOn(late);
        Await.until(() -> !receiver.requests().isEmpty(), "a webhook delivery", WAIT);

        WebhookReceiver.Request request = receiver.requests().get(0);
        assertThat(request.header("Content-Type")).startsWith("application/json");
        assertThat(request.header(WebhookSigner.HEADER))
                .isEqualTo(WebhookSigner.signature(SECRET, request.body().getBytes(StandardCharsets.UTF_8)))
                .matches("sha256=[0-9a-f]{64}");
        Map<String, Object> body = map(request.body());
        assertThat(body).containsEntry("deliveryId", request.header("X-PortFlux-Delivery"))
                .containsEntry("event", "changes").containsEntry("changeCount", 1);
        assertThat((Map<String, Object>) body.get("schedule")).containsEntry("id", id).containsEntry("name", "loopback");
        List<Map<String, Object>> ports = (List<Map<String, Object>>) ((Map<String, Object>) body.get("changes")).get("ports");
        assertThat(ports).hasSize(1);
        assertThat(ports.get(0)).containsEntry("ip", "127.0.0.1").containsEntry("port", late)
                .containsEntry("from", "closed").containsEntry("to", "open").containsEntry("changed", List.of("state"));
        String scanId = (String) body.get("scanId");
        assertThat(body.get("baseScanId")).isNotNull().isNotEqualTo(scanId);

        // The run that found it records it, and links its diff.
        Map<String, Object> run = runs(id).stream().filter(r -> scanId.equals(r.get("scanId"))).findFirst().orElseThrow();
        assertThat(run).containsEntry("changeCount", 1).containsEntry("baseScanId", body.get("baseScanId"));
        assertThat((Map<String, Object>) run.get("links"))
                .containsEntry("diff", "/api/scans/" + scanId + "/diff?base=" + body.get("baseScanId"));
        assertThat(changedRun.get(WAIT.toSeconds(), TimeUnit.SECONDS).data()).containsEntry("scanId", scanId);

        // The next run finds nothing new: still exactly one delivery.
        Instant found = Instant.parse((String) run.get("tick"));
        Await.until(() -> runs(id).stream().filter(r -> "completed".equals(r.get("status"))
                && Instant.parse((String) r.get("tick")).isAfter(found)).count() >= 1, "a run after the change", WAIT);
        assertThat(receiver.requests()).hasSize(1);
        assertThat(deliveries(id)).singleElement().satisfies(d -> assertThat(d)
                .containsEntry("status", "delivered").containsEntry("attempts", 1)
                .containsEntry("id", request.header("X-PortFlux-Delivery")));

        String metrics = client.get().uri("/actuator/prometheus").exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(metrics).contains("portflux_schedule_changes_total{schedule=\"loopback\"} 1.0")
                .contains("portflux_alert_deliveries_total{outcome=\"delivered\"}")
                .containsPattern("portflux_schedule_runs_total\\{schedule=\"loopback\",status=\"completed\"} [3-9]");
    }

    @Test
    void aReceiverThatFailsTwiceGetsTheDeliveryOnTheThirdTryWithTheSameId() throws Exception {
        int open = listeners.open();
        int late = freePort();
        WebhookReceiver receiver = receiver(2);
        String id = schedule("flaky-receiver", open + "," + late, receiver.url());
        Await.until(() -> completed(id) >= 1, "a first completed run", WAIT);
        listenOn(late);
        Await.until(() -> receiver.requests().size() >= 3, "three attempts", WAIT);

        List<WebhookReceiver.Request> requests = receiver.requests();
        assertThat(requests).extracting(WebhookReceiver.Request::answered).startsWith(500, 500, 204);
        String delivery = requests.get(0).header("X-PortFlux-Delivery");
        assertThat(delivery).isNotBlank();
        for (WebhookReceiver.Request request : requests.subList(0, 3)) {
            assertThat(request.header("X-PortFlux-Delivery")).isEqualTo(delivery);
            assertThat(request.body()).isEqualTo(requests.get(0).body());
            assertThat(request.header(WebhookSigner.HEADER))
                    .isEqualTo(WebhookSigner.signature(SECRET, request.body().getBytes(StandardCharsets.UTF_8)));
        }
        Await.until(() -> deliveries(id).stream().anyMatch(d -> "delivered".equals(d.get("status"))), "delivered", WAIT);
        assertThat(deliveries(id)).singleElement().satisfies(d -> assertThat(d)
                .containsEntry("id", delivery).containsEntry("attempts", 3).containsEntry("lastError", "HTTP 500"));
        assertThat(receiver.requests()).hasSize(3);
    }

    @Test
    void aTickDuringARunIsSkippedAndCountedNeverStacked() throws Exception {
        // About 2.5 s a run at 1,000 probes a second, every second: most ticks come while a run goes on.
        String id = (String) create("{\"name\":\"long-runs\",\"cron\":\"* * * * * *\",\"scan\":{\"targets\":\"127.0.0.1\","
                + "\"ports\":\"1-2500\",\"rate\":1000,\"report\":\"open\"}}").get("id");
        Await.until(() -> completed(id) >= 1 && ((Number) get(id).get("skippedTicks")).longValue() >= 2,
                "a completed run and two skipped ticks", WAIT);
        List<Map<String, Object>> runs = new ArrayList<>(runs(id));
        runs.sort(Comparator.comparing(r -> (String) r.get("tick")));
        for (int i = 1; i < runs.size(); i++) {
            Map<String, Object> before = runs.get(i - 1);
            assertThat(before.get("finishedAt")).as("run %s ended before the next started", before.get("scanId")).isNotNull();
            assertThat(Instant.parse((String) runs.get(i).get("startedAt")))
                    .isAfterOrEqualTo(Instant.parse((String) before.get("finishedAt")));
        }
        String metrics = client.get().uri("/actuator/prometheus").exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(metrics).containsPattern("portflux_schedule_ticks_skipped_total\\{schedule=\"long-runs\"} [2-9]");
    }

    @Autowired
    Schedules schedules;

    @Test
    void aDeclaredScheduleIsWrittenByNameOnceAndReplacedWhenItDiffers() {
        java.util.function.Function<String, ScheduleSpec> declared = cron -> ScheduleBody.parse(new java.util.LinkedHashMap<>(
                Map.of("name", "declared", "cron", cron, "scan", Map.of("targets", "127.0.0.1", "ports", "top-100"))));
        Schedule first = schedules.upsert(declared.apply("0 0 3 * * *")).block(WAIT);
        created.add(first.id());
        // The same declaration at the next start: the same schedule, untouched.
        assertThat(schedules.upsert(declared.apply("0 0 3 * * *")).block(WAIT)).isEqualTo(first);
        // A changed one: the same schedule (by name), replaced, with its next run from the new cron.
        Schedule changed = schedules.upsert(declared.apply("0 0 4 * * *")).block(WAIT);
        assertThat(changed.id()).isEqualTo(first.id());
        assertThat(changed.spec().cron()).isEqualTo("0 0 4 * * *");
        assertThat(changed.nextRun().atZone(java.time.ZoneOffset.UTC).getHour()).isEqualTo(4);
        assertThat(schedules.list().filter(s -> s.name().equals("declared")).count().block(WAIT)).isEqualTo(1);
    }

    @Test
    @SuppressWarnings("unchecked")
    void schedulesAreCreatedReadReplacedAndDeleted() {
        Map<String, Object> made = create("{\"name\":\"nightly\",\"cron\":\"0 0 3 * * *\",\"zone\":\"Europe/Paris\","
                + "\"enabled\":false,\"scan\":{\"targets\":\"127.0.0.1\",\"ports\":\"top-100\"}}");
        String id = (String) made.get("id");
        assertThat(made).containsEntry("name", "nightly").containsEntry("zone", "Europe/Paris")
                .containsEntry("enabled", false).doesNotContainKey("nextRun")
                .containsEntry("scan", Map.of("targets", "127.0.0.1", "ports", "top-100"));
        Problems.checked(client.post().uri("/api/schedules").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"name\":\"nightly\",\"cron\":\"0 0 3 * * *\",\"scan\":{\"targets\":\"127.0.0.1\"}}")
                .exchange(), 409, "/api/schedules");

        Map<?, ?> replaced = client.put().uri("/api/schedules/" + id).contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"name\":\"nightly\",\"cron\":\"0 0 3 * * *\",\"zone\":\"Europe/Paris\","
                        + "\"scan\":{\"targets\":\"127.0.0.1\",\"ports\":\"top-100\"}}")
                .exchange().expectStatus().isOk().expectBody(Map.class).returnResult().getResponseBody();
        Instant next = Instant.parse((String) replaced.get("nextRun"));
        assertThat(next.atZone(java.time.ZoneId.of("Europe/Paris")).getHour()).isEqualTo(3);
        assertThat(next).isBetween(Instant.now(), Instant.now().plus(Duration.ofHours(25)));
        assertThat(client.get().uri("/api/schedules").exchange().expectStatus().isOk().expectBody(List.class)
                .returnResult().getResponseBody()).anySatisfy(s -> assertThat((Map<String, Object>) s).containsEntry("id", id));

        client.delete().uri("/api/schedules/" + id).exchange().expectStatus().isNoContent();
        Map<String, Object> gone = Problems.checked(client.get().uri("/api/schedules/" + id).exchange(), 404,
                "/api/schedules/" + id);
        assertThat(gone).containsEntry("id", id);
    }

    @Test
    @SuppressWarnings("unchecked")
    void aBadScheduleIsRefusedNamingItsFieldAndNothingIsWritten() {
        String scan = "\"scan\":{\"targets\":\"127.0.0.1\"}";
        Map<String, String> bad = new java.util.LinkedHashMap<>();
        bad.put("{\"cron\":\"* * * * * *\"," + scan + "}", "name");
        bad.put("{\"name\":\"x\",\"cron\":\"* * *\"," + scan + "}", "cron");
        bad.put("{\"name\":\"x\",\"cron\":\"*/5 * * * * *\",\"zone\":\"Mars/Olympus\"," + scan + "}", "zone");
        bad.put("{\"name\":\"x\",\"cron\":\"*/5 * * * * *\"}", "scan");
        bad.put("{\"name\":\"x\",\"cron\":\"*/5 * * * * *\",\"scan\":{\"ports\":\"80\"}}", "scan.targets");
        bad.put("{\"name\":\"x\",\"cron\":\"*/5 * * * * *\",\"scan\":{\"targets\":\"127.0.0.1\",\"prots\":\"80\"}}", "scan.prots");
        bad.put("{\"name\":\"x\",\"cron\":\"*/5 * * * * *\",\"scan\":{\"targets\":\"127.0.0.1\",\"ports\":\"99999\"}}",
                "scan.ports");
        bad.put("{\"name\":\"x\",\"cron\":\"*/5 * * * * *\"," + scan + ",\"alerts\":{\"webhook\":\"ftp://127.0.0.1/\"}}",
                "alerts.webhook");
        bad.put("{\"name\":\"x\",\"crn\":\"*/5 * * * * *\"," + scan + "}", "crn");
        bad.put("{\"name\":\"x\",\"cron\":\"*/5 * * * * *\",\"enabled\":\"yes\"," + scan + "}", "enabled");
        bad.forEach((body, field) -> {
            Map<String, Object> problem = Problems.checked(client.post().uri("/api/schedules")
                    .contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange(), 400, "/api/schedules");
            assertThat(problem).as(body).containsEntry("field", field);
        });
        // Outside the policies: the scan's targets (as POST /api/scans refuses them) and the webhook's host.
        Map<String, Object> target = Problems.checked(client.post().uri("/api/schedules").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"name\":\"x\",\"cron\":\"*/5 * * * * *\",\"scan\":{\"targets\":\"192.0.2.1\"}}").exchange(),
                403, "/api/schedules");
        assertThat(target).containsEntry("field", "scan.targets").containsEntry("value", "192.0.2.1");
        Map<String, Object> hook = Problems.checked(client.post().uri("/api/schedules").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"name\":\"x\",\"cron\":\"*/5 * * * * *\"," + scan
                        + ",\"alerts\":{\"webhook\":\"http://192.0.2.1/hook\"}}").exchange(), 403, "/api/schedules");
        assertThat(hook).containsEntry("field", "alerts.webhook").doesNotContainKey("allowed");
        assertThat(client.get().uri("/api/schedules").exchange().expectStatus().isOk().expectBody(List.class)
                .returnResult().getResponseBody()).noneSatisfy(s -> assertThat((Map<String, Object>) s).containsEntry("name", "x"));
    }
}
