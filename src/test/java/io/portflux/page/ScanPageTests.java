package io.portflux.page;

import static org.assertj.core.api.Assertions.assertThat;

import io.portflux.testing.Listeners;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.springframework.boot.test.context.SpringBootTest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * ScanPageTests drive the page at {@code /} in headless Chromium against the real application,
 * scanning only loopback listeners that each test opens on ephemeral ports.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ScanPageTests extends ChromiumPageTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final JsonMapper JSON = JsonMapper.builder().build();




    @Test
    void detectedServicesFillTheServiceProductAndVersionColumnsAndShowTheBannerOnDemand() throws Exception {
        try (java.net.ServerSocket ssh = new java.net.ServerSocket(0, 50, LOOPBACK)) {
            Thread greeter = new Thread(() -> {
                while (!ssh.isClosed()) {
                    try (java.net.Socket s = ssh.accept()) {
                        s.getOutputStream().write("SSH-2.0-FakeSSH_4.2 page\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                        s.getOutputStream().flush();
                        s.getInputStream().read(); // until the detector closes
                    } catch (java.io.IOException e) {
                        // closed by the detector, or the test is over
                    }
                }
            }, "page-fake-ssh");
            greeter.setDaemon(true);
            greeter.start();
            int silent = listeners.open();

            driver.get(url("/?targets=127.0.0.1&ports=" + ssh.getLocalPort() + "," + silent + "&detect=on&autostart=true"));

            awaitStatus("completed");
            WebElement row = driver.findElement(By.cssSelector("#open-ports tbody tr[data-port='" + ssh.getLocalPort() + "']"));
            List<WebElement> cells = row.findElements(By.tagName("td"));
            assertThat(cells).hasSize(7);
            assertThat(cells.get(3).findElement(By.tagName("summary")).getText()).isEqualTo("banner");
            assertThat(cells.get(4).getText()).isEqualTo("FakeSSH");
            assertThat(cells.get(5).getText()).isEqualTo("4.2");
            assertThat(row.getDomAttribute("data-method")).isEqualTo("probed");
            WebElement banner = cells.get(3).findElement(By.tagName("code"));
            assertThat(banner.isDisplayed()).as("the banner waits to be asked for").isFalse();
            cells.get(3).findElement(By.tagName("summary")).click();
            assertThat(banner.getText()).isEqualTo("SSH-2.0-FakeSSH_4.2 page");
            assertThat(cells.get(3).getText()).startsWith("ssh");
            WebElement guessed = driver.findElement(By.cssSelector("#open-ports tbody tr[data-port='" + silent + "']"));
            assertThat(guessed.getDomAttribute("data-method")).isEqualTo("table");
            assertThat(guessed.findElements(By.cssSelector("td.service.guess"))).hasSize(1);
            ssh.close();
            greeter.join(5_000);
        }
    }

    @Test
    void autostartLinkShowsEveryOpenPortCompletesAndOffersDownloads() throws Exception {
        int a = listeners.open();
        int b = listeners.open();
        int c = listeners.open();
        int closed = Listeners.unusedPort(LOOPBACK);
        int filtered = listeners.fullQueue();
        String ports = a + "," + b + "," + c + "," + closed + "," + filtered;

        driver.get(url("/?targets=127.0.0.1&ports=" + ports + "&report=all&timeout=300ms&retries=0&autostart=true"));

        awaitStatus("completed");
        assertThat(text("status")).endsWith("completed");
        assertThat(portsInTable()).containsExactlyInAnyOrder(a, b, c);
        assertThat(text("c-scanned")).isEqualTo("5 / 5");
        assertThat(text("c-open")).isEqualTo("3");
        assertThat(text("c-closed")).isEqualTo("1");
        assertThat(text("c-filtered")).isEqualTo("1");
        assertThat(text("c-errors")).isEqualTo("0");
        assertThat(progressValue()).isEqualTo(100.0);
        // Every open row carries host, IP, port, service, product, version and RTT cells.
        for (WebElement row : driver.findElements(By.cssSelector("#open-ports tbody tr"))) {
            List<WebElement> cells = row.findElements(By.tagName("td"));
            assertThat(cells).hasSize(7);
            assertThat(cells.get(1).getText()).isEqualTo("127.0.0.1");
            assertThat(cells.get(6).getText()).endsWith("ms");
        }
        // The autostart link turns into a shareable link to this scan, so a reload cannot start another.
        assertThat(driver.getCurrentUrl()).matches(".*/\\?scan=[A-Za-z0-9_-]+$");
        assertThat(driver.findElement(By.id("cancel-button")).isDisplayed()).isFalse();
        driver.findElement(By.cssSelector("#others summary")).click();
        assertThat(driver.findElement(By.id("others-list")).getText())
                .contains("127.0.0.1:" + closed + " closed (conn-refused)")
                .contains("127.0.0.1:" + filtered + " filtered (no-response)");

        // The downloads are the server's exports of the stored scan.
        WebElement csvLink = wait(SCAN_WAIT).until(d -> visible("download-csv"));
        assertThat(csvLink.getDomAttribute("download")).endsWith(".csv");
        List<String> csv = fetchText(csvLink.getDomProperty("href")).lines().toList();
        assertThat(csv.get(0)).isEqualTo("scan_id,timestamp,host,ip,port,protocol,state,reason,service,product,version,rtt_ms");
        assertThat(csv.subList(1, csv.size()).stream().filter(l -> l.contains(",open,"))
                .map(l -> Integer.parseInt(l.split(",")[4]))).containsExactlyInAnyOrder(a, b, c);
        JsonNode json = JSON.readTree(fetchText(visible("download-json").getDomProperty("href")));
        assertThat(json.get("scan").get("status").asString()).isEqualTo("completed");
        assertThat(json.get("ports").valueStream().filter(p -> p.get("state").asString().equals("open"))
                .map(p -> p.get("port").asInt())).containsExactlyInAnyOrder(a, b, c);

        // Tall enough to show the recent-scans list as well, for the README.
        driver.manage().window().setSize(new Dimension(1280, 1100));
        wait(Duration.ofSeconds(10)).until(d -> !d.findElements(By.cssSelector("#recent .recent-item")).isEmpty());
        Files.createDirectories(SCREENSHOTS);
        Path shot = SCREENSHOTS.resolve("finished-scan.png");
        Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), shot, StandardCopyOption.REPLACE_EXISTING);
        byte[] png = Files.readAllBytes(shot);
        assertThat(png).startsWith(0x89, 'P', 'N', 'G');
    }

    @Test
    void progressBarTakesIntermediateValuesWhileASlowScanRuns() throws Exception {
        // Ten probes that each wait out a 300 ms timeout, one at a time: about three seconds.
        String ports = listeners.fullQueues(10);

        driver.get(url("/?targets=127.0.0.1&ports=" + ports + "&concurrency=1&timeout=300ms&retries=0&autostart=true"));

        WebElement progress = driver.findElement(By.id("progress"));
        assertThat(progress.getTagName()).isEqualTo("progress");
        assertThat(progress.getDomAttribute("max")).isEqualTo("100");
        Set<Double> seen = new TreeSet<>();
        wait(SCAN_WAIT).until(d -> {
            seen.add(progressValue());
            return "completed".equals(status());
        });
        assertThat(seen.stream().filter(v -> v > 0 && v < 100)).as("intermediate values seen: %s", seen)
                .hasSizeGreaterThanOrEqualTo(2);
        assertThat(progressValue()).isEqualTo(100.0);
        assertThat(text("c-filtered")).isEqualTo("10");
    }

    @Test
    void formFlowStartsAScanAndShowsItsResults() throws Exception {
        int a = listeners.open();
        int b = listeners.open();
        int closed = Listeners.unusedPort(LOOPBACK);
        driver.get(url("/"));

        assertThat(driver.findElement(By.cssSelector("label[for=targets]")).getText()).isEqualTo("Targets");
        assertThat(driver.findElement(By.cssSelector("label[for=ports]")).getText()).isEqualTo("Ports");
        WebElement targets = driver.findElement(By.id("targets"));
        WebElement ports = driver.findElement(By.id("ports"));
        assertThat(targets.getDomProperty("value")).isEqualTo("127.0.0.1");
        assertThat(ports.getDomProperty("value")).isEqualTo("top-1000");
        assertThat(driver.findElement(By.id("advanced")).getDomProperty("open")).isEqualTo("false");

        targets.clear();
        targets.sendKeys("127.0.0.1");
        ports.clear();
        ports.sendKeys(a + "," + b + "," + closed);
        driver.findElement(By.cssSelector("#advanced summary")).click();
        driver.findElement(By.id("timeout")).sendKeys("500ms");
        driver.findElement(By.cssSelector("label[for=report-all]")).click();
        driver.findElement(By.id("scan-button")).click();

        awaitStatus("completed");
        assertThat(portsInTable()).containsExactlyInAnyOrder(a, b);
        assertThat(text("c-scanned")).isEqualTo("3 / 3");
        assertThat(text("c-closed")).isEqualTo("1");
        // report=all came from the switch: the closed port is listed, outside the open-ports table.
        assertThat(driver.findElement(By.id("others-count")).getDomProperty("textContent")).isEqualTo("1");
        assertThat(driver.getCurrentUrl()).contains("?scan=");
    }

    @Test
    void badPortSpecShowsTheProblemDetail() {
        expectedConsoleErrors.add(Pattern.compile("/api/scans .*status of 400"));
        driver.get(url("/"));
        WebElement ports = driver.findElement(By.id("ports"));
        ports.clear();
        ports.sendKeys("99999");
        driver.findElement(By.id("scan-button")).click();

        WebElement problem = wait(Duration.ofSeconds(10)).until(d -> visible("form-error"));
        assertThat(problem.getText()).startsWith("ports=").contains("99999");
        assertThat(problem.getDomAttribute("role")).isEqualTo("alert");
        assertThat(ports.getDomAttribute("aria-invalid")).isEqualTo("true");
        assertThat(status()).isEqualTo("idle");
        assertThat(driver.getCurrentUrl()).doesNotContain("scan=");
    }

    @Test
    void cancelEndsTheScanAsCancelled() throws Exception {
        // Four probes that would each wait 10 s, all in flight at once: only Cancel ends this scan in
        // time, and it is pressed before any answer or progress event exists.
        List<String> ports = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ports.add(Integer.toString(listeners.fullQueue()));
        }
        driver.get(url("/?targets=127.0.0.1&ports=" + String.join(",", ports)
                + "&concurrency=8&timeout=10s&retries=0&autostart=true"));

        WebElement cancel = wait(SCAN_WAIT).until(d -> visible("cancel-button"));
        assertThat(status()).isEqualTo("running");
        cancel.click();

        wait(Duration.ofSeconds(5)).until(d -> "cancelled".equals(status()));
        assertThat(text("status")).endsWith("cancelled");
        assertThat(cancel.isDisplayed()).isFalse();
        assertThat(text("c-scanned")).isNotEqualTo("4 / 4");
    }

    @Test
    void reloadWithScanIdReattachesAndShowsTheSameOpenPorts() throws Exception {
        int a = listeners.open();
        int b = listeners.open();
        List<String> slow = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            slow.add(Integer.toString(listeners.fullQueue()));
        }
        String ports = a + "," + b + "," + String.join(",", slow);
        driver.get(url("/?targets=127.0.0.1&ports=" + ports + "&concurrency=1&timeout=300ms&retries=0&autostart=true"));

        wait(SCAN_WAIT).until(d -> "running".equals(status()) && d.getCurrentUrl().contains("?scan="));
        String scanUrl = driver.getCurrentUrl();
        driver.navigate().refresh();

        awaitStatus("completed");
        assertThat(driver.getCurrentUrl()).isEqualTo(scanUrl);
        assertThat(portsInTable()).containsExactlyInAnyOrder(a, b);
        assertThat(text("c-scanned")).isEqualTo("8 / 8");
        // Reattaching must not have started a second scan of the same ports.
        assertThat(scansOfPorts(ports)).isEqualTo(1);
        // The reattached scan fills the form with its own request, ready to run again.
        wait(Duration.ofSeconds(5)).until(d -> ports.equals(d.findElement(By.id("ports")).getDomProperty("value")));

        // Opening the link of the finished scan elsewhere replays it in full.
        driver.get("about:blank");
        driver.get(scanUrl);
        awaitStatus("completed");
        assertThat(portsInTable()).containsExactlyInAnyOrder(a, b);
    }

    @Test
    void recentScansListOpensAScan() throws Exception {
        int a = listeners.open();
        driver.get(url("/?targets=127.0.0.1&ports=" + a + "&autostart=true"));
        awaitStatus("completed");
        String id = driver.getCurrentUrl().replaceFirst(".*\\?scan=", "");

        driver.get(url("/"));
        assertThat(status()).isEqualTo("idle");
        WebElement item = wait(Duration.ofSeconds(10))
                .until(d -> d.findElement(By.cssSelector("#recent button[data-scan='" + id + "']")));
        assertThat(item.getText()).contains("127.0.0.1").contains(Integer.toString(a)).contains("completed");
        item.click();

        awaitStatus("completed");
        assertThat(driver.getCurrentUrl()).endsWith("?scan=" + id);
        assertThat(portsInTable()).containsExactly(a);
        // The list is rebuilt when the scan finishes, so look the item up again.
        wait(Duration.ofSeconds(10)).until(d -> "true".equals(d.findElement(
                By.cssSelector("#recent button[data-scan='" + id + "']")).getDomAttribute("aria-current")));
    }

    @Test
    void portColumnSortsAscendingThenDescending() throws Exception {
        List<Integer> open = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            open.add(listeners.open());
        }
        String ports = open.stream().map(String::valueOf).collect(Collectors.joining(","));
        driver.get(url("/?targets=127.0.0.1&ports=" + ports + "&autostart=true"));
        awaitStatus("completed");

        WebElement sort = driver.findElement(By.id("sort-port"));
        sort.click();
        assertThat(portsInOrder()).isSortedAccordingTo(Integer::compare).hasSize(5);
        assertThat(driver.findElement(By.id("port-header")).getDomAttribute("aria-sort")).isEqualTo("ascending");
        // The header button is reachable and works from the keyboard too.
        sort.sendKeys(Keys.ENTER);
        assertThat(portsInOrder()).isSortedAccordingTo((x, y) -> Integer.compare(y, x)).hasSize(5);
        assertThat(driver.findElement(By.id("port-header")).getDomAttribute("aria-sort")).isEqualTo("descending");
    }

    @Test
    void narrowViewportKeepsThePageWithinItsWidthAndSubmitsWithEnter() throws Exception {
        int a = listeners.open();
        driver.manage().window().setSize(new Dimension(400, 800));
        driver.get(url("/"));
        assertThat(((Number) driver.executeScript("return window.innerWidth")).intValue()).isLessThanOrEqualTo(400);

        WebElement ports = driver.findElement(By.id("ports"));
        ports.clear();
        ports.sendKeys(Integer.toString(a), Keys.ENTER);

        awaitStatus("completed");
        assertThat(portsInTable()).containsExactly(a);
        Number overflow = (Number) driver.executeScript(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth");
        assertThat(overflow.intValue()).as("horizontal overflow in px").isLessThanOrEqualTo(0);
        assertThat(driver.findElement(By.id("scan-button")).isDisplayed()).isTrue();
    }

    @Test
    void unknownScanIdShowsTheProblemDetail() {
        // The event stream and the snapshot that explains its refusal both answer 404.
        expectedConsoleErrors.add(Pattern.compile("/api/scans/no-such-scan(/events)? .*status of 404"));
        driver.get(url("/?scan=no-such-scan"));

        wait(Duration.ofSeconds(10)).until(d -> "missing".equals(status()));
        assertThat(text("status-message")).contains("no scan with id 'no-such-scan'");
    }

    private static double progressValue() {
        return Double.parseDouble(driver.findElement(By.id("progress")).getDomProperty("value"));
    }

    private static List<Integer> portsInOrder() {
        return driver.findElements(By.cssSelector("#open-ports tbody td.port")).stream()
                .map(td -> Integer.parseInt(td.getText()))
                .toList();
    }

    private static List<Integer> portsInTable() {
        List<Integer> ports = portsInOrder();
        assertThat(ports).as("no port listed twice").doesNotHaveDuplicates();
        assertThat(text("open-count")).isEqualTo(Integer.toString(ports.size()));
        return ports;
    }

    // Reads a download link's URL from inside the page, as the page's own origin.
    static String fetchText(String href) {
        return (String) driver.executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                        + "fetch(arguments[0]).then(r => r.text()).then(done, e => done('fetch failed: ' + e));",
                href);
    }

    private long scansOfPorts(String ports) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(url("/api/scans"))).header("Accept", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return JSON.readTree(response.body()).valueStream()
                .filter(s -> ports.equals(s.path("request").path("ports").asString()))
                .count();
    }
}
