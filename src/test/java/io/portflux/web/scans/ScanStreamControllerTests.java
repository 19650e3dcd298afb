package io.portflux.web.scans;

import static io.portflux.testing.SseClient.last;
import static io.portflux.testing.SseClient.names;
import static io.portflux.testing.SseClient.number;
import static org.assertj.core.api.Assertions.assertThat;

import io.portflux.probe.ConnectProber;
import io.portflux.testing.Await;
import io.portflux.testing.ListenerPool;
import io.portflux.testing.Listeners;
import io.portflux.testing.SseClient;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.json.JsonMapper;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "60s")
class ScanStreamControllerTests {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @Autowired
    WebTestClient client;

    @Autowired
    ConnectProber prober;

    private final ListenerPool listeners = new ListenerPool();

    @AfterEach
    void close() throws Exception {
        listeners.close();
    }

    @Test
    void streamsStartedPortsProgressAndDoneWithRisingIdsAndCountersThatAddUp() throws Exception {
        int open1 = listeners.open();
        int open2 = listeners.open();
        int closed = Listeners.unusedPort(LOOPBACK);
        int filtered = listeners.fullQueue();
        String ports = open1 + "," + open2 + "," + closed + "," + filtered;

        var events = SseClient.all(client,
                "/api/scan?targets=127.0.0.1&ports=" + ports + "&report=all&timeout=300ms&retries=0");

        assertThat(names(events).get(0)).isEqualTo("started");
        assertThat(names(events).get(events.size() - 1)).isEqualTo("done");
        for (int i = 0; i < events.size(); i++) {
            assertThat(events.get(i).id()).isEqualTo(Integer.toString(i + 1));
        }
        Map<String, Object> started = events.get(0).data();
        assertThat(number(started, "total")).isEqualTo(4);
        assertThat(number(started, "ports")).isEqualTo(4);
        Map<String, String> states = events.stream().filter(e -> "port".equals(e.event()))
                .collect(Collectors.toMap(e -> e.data().get("port").toString(),
                        e -> e.data().get("state") + "/" + e.data().get("reason")));
        assertThat(states).containsExactlyInAnyOrderEntriesOf(Map.of(
                Integer.toString(open1), "open/conn-accept",
                Integer.toString(open2), "open/conn-accept",
                Integer.toString(closed), "closed/conn-refused",
                Integer.toString(filtered), "filtered/no-response"));
        Map<String, Object> done = last(events);
        assertThat(done.get("status")).isEqualTo("completed");
        assertThat(number(done, "scanned")).isEqualTo(4).isEqualTo(number(done, "total"));
        assertThat(number(done, "open") + number(done, "closed") + number(done, "filtered") + number(done, "errors"))
                .isEqualTo(number(done, "scanned"));
        assertThat(number(done, "open")).isEqualTo(2);
        assertThat((List<?>) done.get("openPorts")).hasSize(2);
    }

    @Test
    void reportOpenSendsOnlyOpenPorts() throws Exception {
        int open = listeners.open();
        int closed = Listeners.unusedPort(LOOPBACK);
        var events = SseClient.all(client, "/api/scan?targets=localhost&ports=" + open + "," + closed);
        List<Map<String, Object>> ports = events.stream().filter(e -> "port".equals(e.event()))
                .map(ServerSentEvent::data).toList();
        assertThat(ports).singleElement().satisfies(p -> {
            assertThat(p.get("port")).isEqualTo(open);
            assertThat(p.get("host")).isEqualTo("localhost");
            assertThat(p.get("ip")).isEqualTo("127.0.0.1");
        });
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> targets = (List<Map<String, Object>>) events.get(0).data().get("targets");
        assertThat(targets).singleElement().satisfies(t -> {
            assertThat(t.get("spec")).isEqualTo("localhost");
            assertThat(t.get("ip")).isEqualTo("127.0.0.1");
        });
    }

    @Test
    void scansIpv6LoopbackWhereTheMachineHasIt() throws Exception {
        java.net.InetAddress v6 = java.net.InetAddress.getByName("::1");
        java.net.ServerSocket listener;
        try {
            listener = new java.net.ServerSocket(0, 50, v6);
        } catch (java.io.IOException e) {
            org.junit.jupiter.api.Assumptions.abort("no ::1 here: " + e);
            return;
        }
        try (listener) {
            var events = SseClient.all(client, "/api/scan?targets=[::1]&ports=" + listener.getLocalPort());
            assertThat(events).filteredOn(e -> "port".equals(e.event())).singleElement()
                    .satisfies(e -> assertThat(e.data()).containsEntry("ip", "::1")
                            .containsEntry("state", "open"));
        }
    }

    @Test
    void portEventsCarryTheServiceName() throws Exception {
        // Nothing listens on 1 here, but report=all gives it an event with its well-known name.
        var events = SseClient.all(client, "/api/scan?targets=127.0.0.1&ports=1,22&report=all&order=sequential");
        assertThat(events).filteredOn(e -> "port".equals(e.event()))
                .anySatisfy(e -> assertThat(e.data()).containsEntry("port", 22).containsEntry("service", "ssh"));
    }

    @Test
    void aNameThatDoesNotResolveIsReportedAndTheRestIsScanned() throws Exception {
        int open = listeners.open();
        var events = SseClient.all(client, "/api/scan?targets=no-such-host.invalid,127.0.0.1&ports=" + open);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> targets = (List<Map<String, Object>>) events.get(0).data().get("targets");
        assertThat(targets).anySatisfy(t -> {
            assertThat(t.get("spec")).isEqualTo("no-such-host.invalid");
            assertThat(t.get("error")).asString().contains("does not resolve");
        });
        assertThat(number(last(events), "open")).isEqualTo(1);
    }

    @Test
    void ndjsonGivesTheSameEventsAsJsonLines() throws Exception {
        int open = listeners.open();
        String body = client.get().uri("/api/scan?targets=127.0.0.1&ports=" + open)
                .accept(MediaType.APPLICATION_NDJSON).exchange()
                .expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_NDJSON)
                .expectBody(String.class).returnResult().getResponseBody();
        JsonMapper json = JsonMapper.builder().build();
        List<Map<?, ?>> lines = new ArrayList<>();
        body.lines().filter(l -> !l.isBlank()).forEach(l -> lines.add(json.readValue(l, Map.class)));
        assertThat(lines.get(0).get("id")).isEqualTo(1);
        assertThat(lines.get(0).get("event")).isEqualTo("started");
        assertThat(lines).anySatisfy(l -> {
            assertThat(l.get("event")).isEqualTo("port");
            assertThat(((Map<?, ?>) l.get("data")).get("port")).isEqualTo(open);
        });
        Map<?, ?> done = lines.get(lines.size() - 1);
        assertThat(done.get("event")).isEqualTo("done");
        assertThat(((Map<?, ?>) done.get("data")).get("status")).isEqualTo("completed");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "targets=127.0.0.1&ports=99999          | ports       | 99999",
        "targets=127.0.0.1&ports=http           | ports       | http",
        "ports=80                               | targets     | (missing)",
        "targets=127.0.0.1/99&ports=80          | targets     | 127.0.0.1/99",
        "targets=127.0.0.1&ports=80&concurrency=0       | concurrency | 0",
        "targets=127.0.0.1&ports=80&concurrency=lots    | concurrency | lots",
        "targets=127.0.0.1&ports=80&timeout=-5          | timeout     | -5",
        "targets=127.0.0.1&ports=80&timeout=2h          | timeout     | 2h",
        "targets=127.0.0.1&ports=80&retries=99          | retries     | 99",
        "targets=127.0.0.1&ports=80&rate=0              | rate        | 0",
        "targets=127.0.0.1&ports=80&report=closed       | report      | closed",
        "targets=127.0.0.1&ports=80&order=up            | order       | up",
        "targets=127.0.0.1&ports=80&seed=x              | seed        | x",
        "targets=127.0.0.1&ports=80&detect=maybe        | detect      | maybe",
        "targets=no-such-host.invalid&ports=80          | targets     | no-such-host.invalid",
    })
    void badInputIsA400ProblemNamingTheFieldAndValue(String query, String field, String value) {
        client.get().uri("/api/scan?" + query).accept(MediaType.TEXT_EVENT_STREAM).exchange()
                .expectStatus().isBadRequest()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.status").isEqualTo(400)
                .jsonPath("$.detail").value(d -> assertThat((String) d).contains(field).contains(value))
                .jsonPath("$.field").isEqualTo(field);
    }

    @Test
    void aScanOverTheProbeLimitIsA413() {
        client.get().uri("/api/scan?targets=127.0.0.0/16&ports=all").exchange()
                .expectStatus().isEqualTo(413)
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.detail").value(d -> assertThat((String) d).contains("127.0.0.0/16").contains("all"));
    }

    @Test
    void aTargetOutsideTheAllowListIsA403NamingIt() {
        // Rejected by the policy before any probe; the loopback guard would fail the test otherwise.
        client.get().uri("/api/scan?targets=127.0.0.1,10.0.0.1&ports=80").exchange()
                .expectStatus().isForbidden()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.detail").value(d -> assertThat((String) d).contains("10.0.0.1"));
    }

    @Test
    void whenTheClientGoesAwayEveryProbeChannelIsClosed() throws Exception {
        String list = listeners.fullQueues(4);
        long fdsBefore = openFileDescriptors();
        var stream = SseClient.stream(client, "/api/scan?targets=127.0.0.1&ports=" + list + "&timeout=20s&retries=5");
        List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        reactor.core.Disposable subscription = stream.subscribe(e -> seen.add(e.event()));
        Await.until(() -> prober.inFlight() == 4, "all four probes in flight");
        // On a warm server the probes can be in flight before the started event reaches this client.
        Await.until(() -> !seen.isEmpty(), "the started event arrived");
        assertThat(seen).containsExactly("started");
        // The client hangs up; the server sees the connection go and cancels the scan.
        subscription.dispose();
        Await.until(() -> prober.inFlight() == 0, "no probe channel left open");
        // The probe sockets and this stream's connection are closed again: descriptors are back.
        Await.until(() -> openFileDescriptors() <= fdsBefore, "file descriptors back to " + fdsBefore);
    }

    private static long openFileDescriptors() {
        return ((com.sun.management.UnixOperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getOpenFileDescriptorCount();
    }
}
