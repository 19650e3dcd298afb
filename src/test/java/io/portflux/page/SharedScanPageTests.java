package io.portflux.page;

import static org.assertj.core.api.Assertions.assertThat;

import io.portflux.testing.PostgresCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import tools.jackson.databind.json.JsonMapper;

/**
 * SharedScanPageTests open a scan that the replicas share (PostgreSQL, {@code distribute=on}) in headless
 * Chromium: the page says which replicas worked on it and how its ranges stand.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "portflux.store.replica-id=page-replica",
        "spring.r2dbc.username=postgres",
        "portflux.cluster.claim-interval=200ms",
        "portflux.detect.enabled=false"})
// Closed after the class: its PostgreSQL stops then, and a cached context would keep its shard, schedule and signal
// loops failing against it for the rest of the test JVM (ResultsExportTests' heap measurement saw 21 MB more).
@DirtiesContext
class SharedScanPageTests extends ChromiumPageTest {

    @RegisterExtension
    static final PostgresCluster cluster = new PostgresCluster();

    // A system property, not a @DynamicPropertySource: StoreEnvironment derives Flyway's URL from spring.r2dbc.url
    // before a dynamic property is added, and Flyway would have migrated the embedded H2 instead. Set once
    // PostgreSQL runs (its extension's beforeAll comes first) and before the context loads; removed after the
    // class, so that no later context of this JVM sees it.
    @BeforeAll
    static void store() throws Exception {
        System.setProperty("spring.r2dbc.url", cluster.newDatabase());
    }

    @AfterAll
    static void forgetStore() {
        System.clearProperty("spring.r2dbc.url");
    }

    @Test
    void aSharedScanNamesTheReplicasThatWorkedOnItAndItsRanges() throws Exception {
        int open = listeners.open();
        HttpResponse<String> created = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url("/api/scans")))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"targets\":\"127.0.0.1\",\"ports\":\"1-4000," + open
                                + "\",\"distribute\":\"on\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
        String id = JsonMapper.builder().build().readTree(created.body()).path("id").asString();

        driver.get(url("/?scan=" + id));
        awaitStatus("completed");
        // A scan that runs alone has no such line: it is there only because the ranges' progress says so.
        wait(SCAN_WAIT).until(d -> visible("s-shards"));
        assertThat(text("s-shards")).startsWith("Shared by page-replica:").contains("ranges done");
    }
}
