package io.portflux.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.portflux.config.SmallLoopbackScan;
import io.portflux.testing.Await;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.web.reactive.server.WebTestClient;

/** OperationsEndpointsTests check what the kubelet and Prometheus see: probes, info and scan metrics. */
// The readiness group lists its members here only, so that the test can see that the store is one of them.
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "management.endpoint.health.group.readiness.show-components=always")
@AutoConfigureWebTestClient(timeout = "60s")
class OperationsEndpointsTests {

    @Autowired
    WebTestClient client;

    private Scrape scrape() {
        String body = client.get().uri("/actuator/prometheus").exchange()
                .expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        return Scrape.parse(body);
    }

    private static double delta(Scrape before, Scrape after, String name, String... labels) {
        Double b = before.value(name, labels);
        Double a = after.value(name, labels);
        assertThat(a).as("%s%s in the scrape", name, String.join(",", labels)).isNotNull();
        return a - (b == null ? 0 : b);
    }

    @Test
    void aLoopbackScanMovesTheScanMetrics() throws Exception {
        Scrape before = scrape();
        String body = SmallLoopbackScan.run(client);
        assertThat(body).contains("event:done").contains("\"status\":\"completed\"");

        // The scan is counted as finished just after its done event is sent, and its last probe socket
        // closes just after its answer: wait for both.
        Await.until(() -> scrape().value("portflux_scans_running") == 0.0, "scan no longer running");
        Await.until(() -> scrape().value("portflux_probes_in_flight") == 0.0, "probe sockets closed");
        Scrape after = scrape();

        assertThat(delta(before, after, "portflux_probes_total", "state=\"open\"", "reason=\"conn-accept\""))
                .isGreaterThanOrEqualTo(1);
        assertThat(delta(before, after, "portflux_probes_total", "state=\"closed\"", "reason=\"conn-refused\""))
                .isGreaterThanOrEqualTo(1);
        assertThat(after.value("portflux_probes_total", "state=\"filtered\"", "reason=\"no-response\"")).isNotNull();
        assertThat(delta(before, after, "portflux_ports_open_total")).isGreaterThanOrEqualTo(1);
        assertThat(delta(before, after, "portflux_scans_total", "status=\"completed\"")).isGreaterThanOrEqualTo(1);
        assertThat(after.value("portflux_scans_total", "status=\"cancelled\"")).isNotNull();

        assertThat(delta(before, after, "portflux_probe_rtt_seconds_count", "state=\"open\"")).isGreaterThanOrEqualTo(1);
        assertThat(delta(before, after, "portflux_probe_rtt_seconds_bucket", "state=\"open\"", "le=\"+Inf\""))
                .isGreaterThanOrEqualTo(1);
        assertThat(after.value("portflux_probe_rtt_seconds_bucket", "state=\"open\"", "le=\"0.001\"")).isNotNull();
        assertThat(after.count("portflux_probe_rtt_seconds_bucket")).isGreaterThan(3 * 10);
        assertThat(after.value("portflux_probe_rtt_seconds_sum", "state=\"open\"")).isPositive();

        assertThat(after.value("portflux_probe_budget_limit")).isNotNull().isGreaterThanOrEqualTo(64);
        assertThat(after.value("portflux_probe_budget_max")).isEqualTo(after.value("portflux_probe_budget_limit"));
        assertThat(after.value("portflux_probe_budget_queued")).isNotNull();
        assertThat(after.value("portflux_probe_local_faults_total", "code=\"EMFILE\"")).isNotNull();
    }

    @Test
    void livenessAndReadinessAreUp() {
        for (String group : new String[] {"liveness", "readiness"}) {
            client.get().uri("/actuator/health/" + group).exchange()
                    .expectStatus().isOk()
                    .expectBody().jsonPath("$.status").isEqualTo("UP");
        }
    }

    @Test
    void readinessIncludesTheStore() {
        client.get().uri("/actuator/health/readiness").exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.components.r2dbc.status").isEqualTo("UP")
                .jsonPath("$.components.readinessState.status").isEqualTo("UP");
    }

    @Test
    void infoShowsTheBuildAndTheJavaRuntime() {
        client.get().uri("/actuator/info").exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.build.artifact").isEqualTo("portflux")
                .jsonPath("$.build.group").isEqualTo("io.portflux")
                .jsonPath("$.build.version").value(v -> assertThat((String) v).isNotBlank())
                .jsonPath("$.java.version").isEqualTo(System.getProperty("java.version"));
    }
}
