package io.portflux.web.results;

import static org.assertj.core.api.Assertions.assertThat;

import io.portflux.testing.ListenerPool;
import io.portflux.testing.Problems;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.json.JsonMapper;

/**
 * ScanDiffTests compare real loopback scans: a listener started between two scans, a port range added to the
 * second, a host that came up, {@code base=previous}, and the refused requests.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "60s")
class ScanDiffTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Autowired
    WebTestClient client;

    private final ListenerPool listeners = new ListenerPool();
    private StoredScans scans;
    private int open;

    @BeforeEach
    void listen() throws Exception {
        scans = new StoredScans(client);
        open = listeners.open();
    }

    @AfterEach
    void close() throws Exception {
        listeners.close();
    }

    private String all(String targets, String ports) throws Exception {
        return scans.run("{\"targets\":\"" + targets + "\",\"ports\":\"" + ports + "\",\"report\":\"all\"}");
    }

    private Map<String, Object> diff(String id, String base) {
        return ResultsExportTests.map(JSON, scans.text("/api/scans/" + id + "/diff?base=" + base, null));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> ports(Map<String, Object> diff) {
        return (List<Map<String, Object>>) diff.get("ports");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> obj(Object value) {
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object value) {
        return (List<Object>) value;
    }

    private static int freePort() throws Exception {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    @Test
    void aListenerStartedBetweenTwoScansIsClosedToOpen() throws Exception {
        int port = freePort();
        String ports = open + "," + port;
        String before = all("127.0.0.1", ports);
        try (ServerSocket listener = new ServerSocket(port, 50, InetAddress.getLoopbackAddress())) {
            String after = all("127.0.0.1", ports);
            Map<String, Object> diff = diff(after, before);
            assertThat(ports(diff)).singleElement().satisfies(change -> {
                assertThat(change).containsEntry("ip", "127.0.0.1").containsEntry("port", port)
                        .containsEntry("protocol", "tcp").containsEntry("kind", "changed");
                assertThat(list(change.get("changed"))).contains("state");
                assertThat(obj(change.get("base"))).containsEntry("state", "closed");
                assertThat(obj(change.get("scan"))).containsEntry("state", "open");
            });
            assertThat(obj(diff.get("summary"))).containsEntry("changed", 1).containsEntry("notComparable", 0);
            assertThat(diff).doesNotContainKeys("portsOnlyInBase", "portsOnlyInScan");

            String text = scans.text("/api/scans/" + after + "/diff?base=" + before, "text/plain");
            assertThat(text).isEqualTo(scans.text("/api/scans/" + after + "/diff?base=" + before + "&format=text", null));
            assertThat(text.lines().filter(l -> l.matches("[-+~]\\d+/tcp.*")).toList()).containsExactly(
                    String.format("-%-10s %s", port + "/tcp", "closed"),
                    String.format("+%-10s %s", port + "/tcp", "open"));
            assertThat(text).startsWith("-PortFlux scan " + before + " initiated ").contains("\n+PortFlux scan " + after)
                    .contains("\n 127.0.0.1:\n PORT");

            // A report=open base knows the port only as not open: closed|filtered, which open still changes.
            String openOnly = scans.run("{\"targets\":\"127.0.0.1\",\"ports\":\"" + ports + "\",\"detect\":\"off\"}");
            listener.close();
            String closedAgain = all("127.0.0.1", ports);
            assertThat(ports(diff(after, openOnly))).isEmpty();
            assertThat(ports(diff(closedAgain, openOnly))).singleElement().satisfies(change -> {
                assertThat(change).containsEntry("port", port).containsEntry("kind", "changed");
                assertThat(obj(change.get("base"))).containsEntry("state", "open");
                assertThat(obj(change.get("scan"))).containsEntry("state", "closed");
            });
            assertThat(ports(diff(openOnly, closedAgain))).singleElement().satisfies(change -> {
                assertThat(obj(change.get("base"))).containsEntry("state", "closed");
                assertThat(obj(change.get("scan"))).containsEntry("state", "open");
            });
        }
    }

    @Test
    void anAddedPortRangeIsNotComparableNeverChanged() throws Exception {
        String base = all("127.0.0.1", Integer.toString(open));
        String scan = all("127.0.0.1", open + ",1-5");
        Map<String, Object> diff = diff(scan, base);
        assertThat(diff).containsEntry("portsOnlyInScan", "1-5").doesNotContainKey("portsOnlyInBase");
        assertThat(ports(diff)).hasSize(5).allSatisfy(change -> {
            assertThat(change).containsEntry("kind", "not-comparable").containsEntry("note", "not probed by the base scan");
            assertThat(list(change.get("changed"))).isEmpty();
            assertThat(change.get("base")).isNull();
            assertThat(obj(change.get("scan"))).containsEntry("state", "closed");
        });
        assertThat(ports(diff).stream().map(c -> c.get("port")).toList()).containsExactly(1, 2, 3, 4, 5);
        assertThat(obj(diff.get("summary"))).containsEntry("changed", 0).containsEntry("notComparable", 5);
        // The other way round, the range was probed by the base only.
        assertThat(diff(base, scan)).containsEntry("portsOnlyInBase", "1-5");
        String text = scans.text("/api/scans/" + scan + "/diff?base=" + base + "&format=text", null);
        assertThat(text).contains(String.format("~%-10s %-15s %s", "1/tcp", "not-comparable", "not probed by the base scan"))
                .contains("~Ports probed by this scan only (not comparable): 1-5")
                .doesNotContain("\n-1/tcp", "\n+1/tcp");
    }

    @Test
    void aHostThatCameUpAppears() throws Exception {
        int port = freePort();
        String request = "{\"targets\":\"127.0.0.1,127.0.0.2\",\"ports\":\"" + open + "," + port + "\",\"detect\":\"off\"}";
        String before = scans.run(request);
        try (ServerSocket listener = new ServerSocket(port, 50, InetAddress.getByName("127.0.0.2"))) {
            String after = scans.run(request);
            Map<String, Object> diff = diff(after, before);
            assertThat(obj(diff.get("hosts"))).containsEntry("appeared", List.of("127.0.0.2"))
                    .containsEntry("gone", List.of());
            assertThat(ports(diff)).singleElement().satisfies(change -> {
                assertThat(change).containsEntry("ip", "127.0.0.2").containsEntry("port", port);
                assertThat(obj(change.get("base"))).containsEntry("state", "closed|filtered")
                        .containsEntry("reason", "unreported");
            });
            assertThat(obj(diff(before, after).get("hosts"))).containsEntry("gone", List.of("127.0.0.2"));
            assertThat(scans.text("/api/scans/" + after + "/diff?base=" + before + "&format=text", null))
                    .contains("\n+127.0.0.2:\n+Host is up.\n");
        }
    }

    @Test
    void previousIsTheLatestEarlierCompletedScanOfTheSameTargetsAndPorts() throws Exception {
        String targets = "127.0.0.1";
        String first = all(targets, open + ",1-3");
        String other = all(targets, Integer.toString(open));
        // The same ports written another way are the same ports.
        String latest = all(targets, "1,2,3," + open);
        Map<String, Object> base = obj(diff(latest, "previous").get("base"));
        assertThat(base.get("id")).isEqualTo(first).isNotEqualTo(other);
        Map<String, Object> none = Problems.checked(client.get().uri("/api/scans/" + first + "/diff?base=previous")
                .exchange(), 400, "/api/scans/" + first + "/diff");
        assertThat(none).containsEntry("field", "base").containsEntry("value", "previous");
    }

    @Test
    void badRequestsAreProblemsNamingFieldAndValue() throws Exception {
        String id = all("127.0.0.1", Integer.toString(open));
        String path = "/api/scans/" + id + "/diff";
        assertThat(Problems.checked(client.get().uri(path).exchange(), 400, path)).containsEntry("field", "base");
        assertThat(Problems.checked(client.get().uri(path + "?base=nope").exchange(), 400, path))
                .containsEntry("field", "base").containsEntry("value", "nope");
        assertThat(Problems.checked(client.get().uri(path + "?base=" + id).exchange(), 400, path))
                .containsEntry("field", "base").containsEntry("value", id);
        assertThat(Problems.checked(client.get().uri(path + "?base=previous&format=xml").exchange(), 400, path))
                .containsEntry("field", "format").containsEntry("value", "xml");
        assertThat(Problems.checked(client.get().uri(path + "?bsae=previous").exchange(), 400, path))
                .containsEntry("field", "bsae");
        assertThat(Problems.checked(client.get().uri("/api/scans/nope/diff?base=" + id).exchange(), 404,
                "/api/scans/nope/diff")).containsEntry("id", "nope");
        String running = scans.start("{\"targets\":\"127.0.0.1\",\"ports\":\"" + listeners.fullQueue()
                + "\",\"timeout\":\"20s\",\"retries\":\"0\"}");
        assertThat(Problems.checked(client.get().uri(path + "?base=" + running).exchange(), 409, path))
                .containsEntry("id", running);
        client.delete().uri("/api/scans/" + running).exchange().expectStatus().isOk();
    }
}
