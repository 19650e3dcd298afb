package io.portflux.web.results;

import static org.assertj.core.api.Assertions.assertThat;

import io.portflux.testing.ListenerPool;
import io.portflux.testing.Problems;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.json.JsonMapper;

/**
 * ResultsExportTests export real loopback scans in every format: an open port whose server greets as OpenSSH
 * (detected, {@code method=probed}), a silent open port ({@code method=table}), 40 closed ports (ephemeral
 * ports whose listeners were closed: more than nmap folds) and filtered ones (full accept queues). The XML is checked by xmllint against
 * nmap's own DTD, and ndiff reads two exports.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "60s")
class ResultsExportTests {

    static final String SSH = "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n";

    @Autowired
    WebTestClient client;

    @LocalServerPort
    int port;

    @TempDir
    Path dir;

    private final ListenerPool listeners = new ListenerPool();
    private StoredScans scans;
    private int ssh;
    private int silent;
    private String filtered;
    private String closed;
    private int firstClosed;

    @BeforeEach
    void listen() throws Exception {
        scans = new StoredScans(client);
        ssh = listeners.greeting(SSH);
        silent = listeners.open();
        filtered = listeners.fullQueues(3);
        // Ports that were listening a moment ago and are closed now: no assumption about what this machine runs.
        List<ServerSocket> sockets = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 40; i++) {
                sockets.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
            }
        } finally {
            for (ServerSocket socket : sockets) {
                socket.close();
            }
        }
        closed = sockets.stream().map(s -> Integer.toString(s.getLocalPort())).collect(java.util.stream.Collectors.joining(","));
        firstClosed = sockets.get(0).getLocalPort();
    }

    @AfterEach
    void close() throws Exception {
        listeners.close();
    }

    private String scan(String ports) throws Exception {
        return scans.run("{\"targets\":\"127.0.0.1\",\"ports\":\"" + ports + "\",\"report\":\"all\",\"detect\":\"on\","
                + "\"timeout\":\"300ms\",\"retries\":\"0\"}");
    }

    // The silent listener's port is whatever the system gave it; the port table may know a name for it.
    private static String tableName(int port) {
        return io.portflux.port.ServiceNames.of(port).orElse("unknown");
    }

    private String mixed() throws Exception {
        return scan(closed + "," + ssh + "," + silent + "," + filtered);
    }

    @Test
    void csvHasTheHeaderAndOneQuotedRecordPerPort() throws Exception {
        String id = mixed();
        String csv = scans.text("/api/scans/" + id + "/results?format=csv", null);
        List<String> lines = Arrays.asList(csv.split("\r\n", -1));
        assertThat(lines.get(0)).isEqualTo("scan_id,timestamp,host,ip,port,protocol,state,reason,service,product,version,rtt_ms");
        assertThat(lines.get(lines.size() - 1)).isEmpty();
        assertThat(lines.subList(1, lines.size() - 1)).hasSize(45)
                .allSatisfy(line -> assertThat(line).startsWith(id + ",").contains(",127.0.0.1,"))
                .anySatisfy(line -> assertThat(line).contains("," + ssh + ",tcp,open,conn-accept,ssh,OpenSSH,9.2p1,"))
                .anySatisfy(line -> assertThat(line).contains("," + firstClosed + ",tcp,closed,conn-refused,"))
                .anySatisfy(line -> assertThat(line).contains(",tcp,filtered,no-response,"));
        assertThat(client.get().uri("/api/scans/" + id + "/results").header("Accept", "text/csv").exchange()
                .expectHeader().contentType("text/csv;charset=UTF-8")
                .expectHeader().valueMatches("Content-Disposition", "attachment; filename=\"portflux-" + id + "\\.csv\"")
                .expectBody(String.class).returnResult().getResponseBody()).isEqualTo(csv);
    }

    @Test
    void jsonAndNdjsonCarryTheScanAndEveryPort() throws Exception {
        String id = mixed();
        JsonMapper json = JsonMapper.builder().build();
        Map<String, Object> doc = map(json, scans.text("/api/scans/" + id + "/results", null));
        assertThat(map(json, json.writeValueAsString(doc.get("scan")))).containsEntry("id", id).containsEntry("status", "completed");
        List<?> ports = (List<?>) doc.get("ports");
        assertThat(ports).hasSize(45).anySatisfy(p -> assertThat(map(json, json.writeValueAsString(p))).containsEntry("port", ssh)
                .containsEntry("state", "open").containsEntry("service", "ssh").containsEntry("method", "probed")
                .containsEntry("protocol", "tcp"));
        assertThat(json.readValue(scans.text("/api/scans/" + id + "/results", "application/json"), Map.class)).isEqualTo(doc);

        String ndjson = scans.text("/api/scans/" + id + "/results", "application/x-ndjson");
        List<Map<String, Object>> lines = ndjson.lines().map(line -> map(json, line)).toList();
        assertThat(lines).hasSize(45).allSatisfy(line -> assertThat(line).containsEntry("scanId", id));
        assertThat(lines).isEqualTo(ports);
    }

    @Test
    void xmlValidatesAgainstNmapsDtdWithFoldedClosedPortsStatesReasonsAndServices() throws Exception {
        String id = mixed();
        String xml = scans.text("/api/scans/" + id + "/results?format=xml", null);
        assertThat(xml).isEqualTo(scans.text("/api/scans/" + id + "/results", "application/xml"));
        Path file = Files.writeString(dir.resolve("scan.xml"), xml);
        NmapTools.assertValidNmapXml(file);

        assertThat(xml).contains("<scaninfo type=\"connect\" protocol=\"tcp\" numservices=\"45\"")
                .contains("<address addr=\"127.0.0.1\" addrtype=\"ipv4\"/>")
                // 40 closed ports: more than 25, so folded, as nmap does
                .contains("<extraports state=\"closed\" count=\"40\">")
                .contains("<extrareasons reason=\"conn-refused\" count=\"40\" proto=\"tcp\"/>")
                .contains("<port protocol=\"tcp\" portid=\"" + ssh + "\"><state state=\"open\" reason=\"conn-accept\" "
                        + "reason_ttl=\"0\"/><service name=\"ssh\" product=\"OpenSSH\" version=\"9.2p1\" method=\"probed\" conf=\"10\"/>")
                .contains("<port protocol=\"tcp\" portid=\"" + silent + "\"><state state=\"open\" reason=\"conn-accept\" "
                        + "reason_ttl=\"0\"/><service name=\"" + tableName(silent) + "\" method=\"table\" conf=\"3\"/>")
                .contains("<state state=\"filtered\" reason=\"no-response\"")
                .contains("<hosts up=\"1\" down=\"0\" total=\"1\"/>")
                .contains("exit=\"success\"")
                .doesNotContain("portid=\"" + firstClosed + "\"");
    }

    @Test
    void aReportOpenScansUnstoredPortsAreFoldedAsClosedOrFilteredUnreported() throws Exception {
        String id = scans.run("{\"targets\":\"127.0.0.1\",\"ports\":\"" + closed + "," + ssh + "\",\"detect\":\"off\"}");
        String xml = scans.text("/api/scans/" + id + "/results?format=xml", null);
        NmapTools.assertValidNmapXml(Files.writeString(dir.resolve("open.xml"), xml));
        assertThat(xml).contains("<extraports state=\"closed|filtered\" count=\"40\">")
                .contains("<extrareasons reason=\"unreported\" count=\"40\" proto=\"tcp\"/>")
                .contains("portid=\"" + ssh + "\"><state state=\"open\"");
        assertThat(scans.text("/api/scans/" + id + "/results?format=grepable", null))
                .contains("Ignored State: closed|filtered (40)");
    }

    @Test
    void grepableIsNmapsLineFormat() throws Exception {
        String id = mixed();
        String text = scans.text("/api/scans/" + id + "/results?format=grepable", null);
        assertThat(text).isEqualTo(scans.text("/api/scans/" + id + "/results", "text/plain"));
        List<String> lines = text.lines().toList();
        assertThat(lines).hasSize(4);
        assertThat(lines.get(0)).startsWith("# PortFlux scan " + id + " initiated ").contains(" as: portflux targets=127.0.0.1 ");
        assertThat(lines.get(1)).isEqualTo("Host: 127.0.0.1 ()\tStatus: Up");
        assertThat(lines.get(2)).startsWith("Host: 127.0.0.1 ()\tPorts: ")
                .contains(ssh + "/open/tcp//ssh//OpenSSH 9.2p1/")
                .contains(silent + "/open/tcp//")
                .contains("/filtered/tcp//")
                .endsWith("\tIgnored State: closed (40)");
        assertThat(lines.get(3)).startsWith("# PortFlux done at ").endsWith("1 IP address (1 host up) scanned in "
                + lines.get(3).replaceAll(".* scanned in ", "").replace(" seconds", "") + " seconds");
    }

    @Test
    void ndiffReadsTwoExportsAndReportsExactlyThePortThatChanged() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        // Few closed ports, so none is folded and ndiff shows both sides of the change.
        String ports = ssh + "," + silent + "," + port;
        String before = scan(ports);
        try (ServerSocket listener = new ServerSocket(port, 50, InetAddress.getLoopbackAddress())) {
            String after = scan(ports);
            Path a = Files.writeString(dir.resolve("a.xml"), scans.text("/api/scans/" + before + "/results?format=xml", null));
            Path b = Files.writeString(dir.resolve("b.xml"), scans.text("/api/scans/" + after + "/results?format=xml", null));
            NmapTools.Run run = NmapTools.ndiff(a, b);
            assertThat(run.exit()).as(run.output()).isEqualTo(1);
            List<String> portLines = run.output().lines().filter(l -> l.matches("[-+]\\d+/tcp.*")).toList();
            assertThat(portLines).as(run.output()).hasSize(2);
            assertThat(portLines.get(0)).startsWith("-" + port + "/tcp").contains("closed");
            assertThat(portLines.get(1)).startsWith("+" + port + "/tcp").contains("open");
            assertThat(run.output()).doesNotContain(ssh + "/tcp", silent + "/tcp");
            // The same export twice: ndiff finds nothing.
            NmapTools.Run same = NmapTools.ndiff(b, b);
            assertThat(same.exit()).as(same.output()).isZero();
        }
    }

    /**
     * A 65,535-port report=all scan exports as CSV and as XML with the heap flat: the export is read in pieces
     * from a plain HTTP client (not WebTestClient, which records the body it passes on), and at three points of
     * each body the live heap, after a full GC, is compared with the live heap before the request. A server
     * holding the scan's rows (about 20 MB as objects) or the CSV text (6 MB) in memory would exceed the bound.
     */
    @Test
    @Tag("own-jvm") // the live heap of a JVM shared with other cached contexts grows with their background work
    void aFullRangeReportAllScanExportsAsCsvAndXmlWithFlatMemory() throws Exception {
        String id = scans.run("{\"targets\":\"127.0.0.1\",\"ports\":\"all\",\"report\":\"all\","
                + "\"timeout\":\"300ms\",\"retries\":\"0\"}");
        // One export first, unmeasured: reading the rows fills the embedded store's page cache (up to 8 MiB of
        // heap, kept), which would otherwise count as growth of whichever export came first.
        LargeBodies.download(port, "/api/scans/" + id + "/results?format=csv", dir.resolve("warm-up.csv"));
        for (String format : List.of("csv", "xml")) {
            Path file = dir.resolve("all." + format);
            long grown = LargeBodies.download(port, "/api/scans/" + id + "/results?format=" + format, file);
            System.out.printf("live heap growth while exporting %s: %d bytes%n", format, grown);
            assertThat(grown).as("live heap growth while exporting %s, in bytes", format).isLessThan(4L << 20);
            if (format.equals("csv")) {
                try (var lines = Files.lines(file)) {
                    assertThat(lines.count()).isEqualTo(1 + 65_535);
                }
            } else {
                NmapTools.assertValidNmapXml(file);
                String xml = Files.readString(file);
                long listed = xml.lines().filter(l -> l.startsWith("<port ")).count();
                long folded = java.util.regex.Pattern.compile("<extraports state=\"[a-z|]+\" count=\"(\\d+)\"")
                        .matcher(xml).results().mapToLong(m -> Long.parseLong(m.group(1))).sum();
                assertThat(listed + folded).isEqualTo(65_535);
            }
        }
    }

    @Test
    void badRequestsAreProblemsNamingFieldAndValue() throws Exception {
        String id = scans.run("{\"targets\":\"127.0.0.1\",\"ports\":\"" + silent + "\"}");
        Map<String, Object> bad = Problems.checked(client.get().uri("/api/scans/" + id + "/results?format=pdf").exchange(),
                400, "/api/scans/" + id + "/results");
        assertThat(bad).containsEntry("field", "format").containsEntry("value", "pdf");
        assertThat((String) bad.get("detail")).contains("json, ndjson, csv, xml, grepable");
        assertThat(Problems.checked(client.get().uri("/api/scans/" + id + "/results?fromat=csv").exchange(), 400,
                "/api/scans/" + id + "/results")).containsEntry("field", "fromat");
        assertThat(Problems.checked(client.get().uri("/api/scans/" + id + "/results").accept(MediaType.IMAGE_PNG).exchange(),
                406, "/api/scans/" + id + "/results")).containsEntry("field", "Accept").containsEntry("value", "image/png");
        assertThat(Problems.checked(client.get().uri("/api/scans/nope/results?format=csv").exchange(), 404,
                "/api/scans/nope/results")).containsEntry("id", "nope");
    }

    @Test
    void aRunningScanIs409UntilItEnds() throws Exception {
        // A filtered port with a long timeout keeps the scan running while its results are asked for.
        String id = scans.start("{\"targets\":\"127.0.0.1\",\"ports\":\"" + listeners.fullQueue()
                + "\",\"timeout\":\"20s\",\"retries\":\"0\"}");
        Map<String, Object> running = Problems.checked(client.get().uri("/api/scans/" + id + "/results").exchange(), 409,
                "/api/scans/" + id + "/results");
        assertThat((String) running.get("detail")).contains("still running");
        client.delete().uri("/api/scans/" + id).exchange().expectStatus().isOk();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(JsonMapper json, String text) {
        return json.readValue(text, Map.class);
    }
}
