package io.portflux.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.portflux.PortFluxApplication;
import io.portflux.config.TestHttpClients;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * DeclaredSchedulesTests start PortFlux with the configuration the chart renders from schedules declared in its
 * values (the ConfigMap's application.yaml as an additional location, as the pod gets it): the schedules are there
 * through the API after start. ScheduleTests check that a declaration written again replaces its schedule by name.
 */
class DeclaredSchedulesTests {

    @TempDir
    Path tmp;

    private Path rendered(String values) throws Exception {
        Path file = tmp.resolve("values.yaml");
        Files.writeString(file, values);
        ConfigMap config = Manifests.parse(new Helm(HelmChartTests.CHART).template().withName("pf")
                .withNamespace("scanners").withValuesFile(file).call()).single(ConfigMap.class);
        Path dir = Files.createDirectories(tmp.resolve("config"));
        Files.writeString(dir.resolve("application.yaml"), config.getData().get("application.yaml"));
        return dir;
    }

    private static List<Map<String, Object>> schedulesAfterStart(Path config, String database) {
        return schedulesAfterStart(config, database, client -> {});
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> schedulesAfterStart(Path config, String database,
            java.util.function.Consumer<WebTestClient> then) {
        try (ConfigurableApplicationContext app = new SpringApplicationBuilder(PortFluxApplication.class).run(
                "--spring.config.additional-location=file:" + config + "/", "--server.port=0",
                "--server.address=127.0.0.1", "--spring.r2dbc.url=" + database)) {
            String port = app.getEnvironment().getProperty("local.server.port");
            WebTestClient client = WebTestClient.bindToServer(TestHttpClients.connector())
                    .baseUrl("http://127.0.0.1:" + port).build();
            then.accept(client);
            return client.get().uri("/api/schedules").exchange().expectStatus().isOk()
                    .expectBody(List.class).returnResult().getResponseBody();
        }
    }

    @Test
    void schedulesDeclaredInTheValuesAreThereAfterStart() throws Exception {
        String database = "r2dbc:h2:mem:///declared-" + UUID.randomUUID() + "?DB_CLOSE_DELAY=-1";
        List<Map<String, Object>> schedules = schedulesAfterStart(rendered(HelmChartTests.DECLARED_SCHEDULES), database);
        assertThat(schedules).extracting(s -> s.get("name")).containsExactly("dmz", "kubelets");
        assertThat(schedules.get(0)).containsEntry("cron", "0 */5 * * * *").containsEntry("zone", "Europe/Paris")
                .containsEntry("enabled", true)
                .containsEntry("scan", Map.of("targets", "127.0.0.1", "ports", "top-1000", "rate", "500"))
                .containsEntry("alerts", Map.of("webhook", "http://127.0.0.1:9000/hook"))
                .containsKey("nextRun");
        assertThat(schedules.get(1)).containsEntry("enabled", false).containsEntry("zone", "UTC").doesNotContainKey("nextRun");
    }

    @Test
    void aScheduleRemovedFromTheValuesIsDeletedAtTheNextStartAndOnesMadeThroughTheApiStay() throws Exception {
        String database = "r2dbc:h2:mem:///undeclared-" + UUID.randomUUID() + "?DB_CLOSE_DELAY=-1";
        List<Map<String, Object>> first = schedulesAfterStart(rendered(HelmChartTests.DECLARED_SCHEDULES), database,
                client -> client.post().uri("/api/schedules").contentType(org.springframework.http.MediaType.APPLICATION_JSON)
                        .bodyValue(Map.of("name", "by-hand", "cron", "0 0 * * * *",
                                "scan", Map.of("targets", "127.0.0.1", "ports", "22")))
                        .exchange().expectStatus().isCreated());
        assertThat(first).extracting(s -> s.get("name")).containsExactly("by-hand", "dmz", "kubelets");

        // The next release's values declare dmz only: kubelets goes, the schedule made by hand stays.
        String values = HelmChartTests.DECLARED_SCHEDULES;
        String onlyDmz = values.substring(0, values.indexOf("      - name: kubelets"))
                + values.substring(values.indexOf("\nalerts:") + 1);
        List<Map<String, Object>> second = schedulesAfterStart(rendered(onlyDmz), database);
        assertThat(second).extracting(s -> s.get("name")).containsExactly("by-hand", "dmz");
    }
}
