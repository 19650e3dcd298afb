package io.portflux.page;

import static org.assertj.core.api.Assertions.assertThat;

import io.portflux.PortFluxApplication;
import io.portflux.testing.NetnsRig;
import io.portflux.testing.RigListeners;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A DROP'd range on the port map: the page, its server, its listeners and the firewall all live in one
 * network namespace of a {@link NetnsRig}, where iptables drops every SYN to ports 20000-21023 of the
 * namespace's own loopback and rejects 40000-40255 as administratively prohibited. A page test cannot
 * reach into a namespace from outside it, so the whole page comes along: PortFlux runs there as a child
 * JVM, and Chromium is started there through {@code ip netns exec}, talking to its driver over a pipe
 * (no DevTools port to cross the namespace). The scan is of loopback only, the namespace's, and every
 * answer is the kernel's real one. Needs root: skips with one line outside CI, fails under {@code CI=true}.
 */
class FirewalledPortMapPageTests {

    private static final int DROPPED_FROM = 20_000;
    private static final int DROPPED_TO = 21_023;
    private static final int PROHIBITED_FROM = 40_000;
    private static final int PROHIBITED_TO = 40_255;
    private static final int[] LISTENERS = {22, 80, 443, 5432, 30_000};
    private static final int SERVER_PORT = 8080;
    private static final Duration START_LIMIT = Duration.ofSeconds(90);
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");

    @TempDir
    static Path logs;
    private static NetnsRig rig;
    private static HeadlessChromium chromium;
    private static ChromeDriver driver;

    @BeforeAll
    static void buildTheNamespaceAndItsPage() throws Exception {
        rig = NetnsRig.createOrSkip(logs);
        // --syn: only connection attempts. 40000-40255 lie in the ephemeral range, and a rule for every packet
        // to them also rejected the RST or SYN-ACK coming back to a probe's source port there (some hundred
        // closed ports came out filtered).
        rig.inScanner("iptables", "-A", "INPUT", "-i", "lo", "-p", "tcp", "--syn", "--dport",
                DROPPED_FROM + ":" + DROPPED_TO, "-j", "DROP");
        rig.inScanner("iptables", "-A", "INPUT", "-i", "lo", "-p", "tcp", "--syn", "--dport",
                PROHIBITED_FROM + ":" + PROHIBITED_TO, "-j", "REJECT", "--reject-with", "icmp-admin-prohibited");
        List<String> args = new ArrayList<>(List.of("127.0.0.1"));
        for (int port : LISTENERS) {
            args.add(Integer.toString(port));
        }
        Process listeners = rig.startInScanner("listeners",
                NetnsRig.java(List.of("-Xmx64m"), RigListeners.class.getName(), args));
        rig.awaitLine(listeners, "listeners", "listening", START_LIMIT);
        Process server = rig.startInScanner("portflux", NetnsRig.java(List.of("-Xmx256m"),
                PortFluxApplication.class.getName(),
                List.of("--server.address=127.0.0.1", "--server.port=" + SERVER_PORT,
                        "--portflux.quotas.scans-per-minute=0", "--spring.main.banner-mode=off")));
        rig.awaitReadyInScanner(server, "portflux", SERVER_PORT, START_LIMIT);

        Path browser = logs.resolve("chromium-in-namespace");
        Files.writeString(browser, "#!/bin/sh\nexec " + String.join(" ", rig.scannerCommand(
                List.of(HeadlessChromium.BINARY.toString()))) + " \"$@\"\n");
        Files.setPosixFilePermissions(browser, PosixFilePermissions.fromString("rwx------"));
        chromium = new HeadlessChromium(browser, List.of("--remote-debugging-pipe"));
        driver = chromium.driver();
    }

    @AfterAll
    static void removeIt() throws Exception {
        try {
            if (chromium != null) {
                chromium.close();
            }
        } finally {
            if (rig != null) {
                rig.close();
            }
        }
    }

    @Test
    void aDroppedRangeIsFilteredOnTheMapAndNamedInItsSummaryUnlikeTheClosedPortsAround() throws Exception {
        driver.manage().window().setSize(new Dimension(1280, 1500));
        driver.manage().logs().get(LogType.BROWSER);
        // A timeout of a second and a retry, as in RealNetworkTests, so that a busy machine cannot turn a
        // late answer into a filtered port; every dropped probe is in flight at once.
        driver.get("http://127.0.0.1:" + SERVER_PORT
                + "/?targets=127.0.0.1&ports=all&report=all&timeout=1s&retries=1&concurrency=2048&autostart=true");
        PortMapReader map = new PortMapReader(driver);

        new WebDriverWait(driver, Duration.ofSeconds(90)).pollingEvery(Duration.ofMillis(100))
                .withMessage(() -> driver.findElement(By.id("status")).getText())
                .until(d -> map.summary().contains(" 0 not yet probed"));

        int dropped = (DROPPED_FROM + DROPPED_TO) / 2;
        int prohibited = PROHIBITED_FROM + 7;
        assertThat(map.cell(dropped)).isEqualTo(map.colour("filtered"));
        assertThat(map.cell(DROPPED_FROM)).isEqualTo(map.colour("filtered"));
        assertThat(map.cell(DROPPED_TO)).isEqualTo(map.colour("filtered"));
        assertThat(map.cell(prohibited)).isEqualTo(map.colour("filtered"));
        assertThat(map.cell(DROPPED_FROM - 1)).isEqualTo(map.colour("closed"));
        assertThat(map.cell(DROPPED_TO + 1)).isEqualTo(map.colour("closed"));
        for (int port : LISTENERS) {
            assertThat(map.cell(port)).as("listener %d", port).isEqualTo(map.colour("open"));
        }
        assertThat(map.cell(SERVER_PORT)).as("the page's own server").isEqualTo(map.colour("open"));
        int filtered = DROPPED_TO - DROPPED_FROM + 1 + PROHIBITED_TO - PROHIBITED_FROM + 1;
        int open = LISTENERS.length + 1;
        Map<String, Long> cells = map.histogram();
        assertThat(cells).as(map.summary()).containsEntry(map.colour("filtered"), (long) filtered)
                .containsEntry(map.colour("open"), (long) open)
                .containsEntry(map.colour("closed"), 65_535L - filtered - open)
                .containsEntry(map.colour("unprobed"), 1L);
        assertThat(map.summary()).isEqualTo("127.0.0.1: " + open + " open, " + String.format("%,d", 65_535 - filtered - open)
                + " closed, " + String.format("%,d", filtered) + " filtered, 0 errors, 0 not yet probed."
                + " All filtered: ports 20000-21023, 40000-40255.");

        map.pointAt(dropped, false);
        new WebDriverWait(driver, Duration.ofSeconds(5)).withMessage(map::info)
                .until(d -> map.info().contains("Port " + dropped + " "));
        assertThat(map.info()).isEqualTo("127.0.0.1 · Port " + dropped + " · filtered (no-response)");
        map.pointAt(prohibited, false);
        new WebDriverWait(driver, Duration.ofSeconds(5)).withMessage(map::info)
                .until(d -> map.info().contains("Port " + prohibited + " "));
        assertThat(map.info()).startsWith("127.0.0.1 · Port " + prohibited + " · filtered (host-unreach)");
        assertThat(Integer.parseInt(driver.findElement(By.id("rate-chart")).getDomAttribute("data-points")))
                .isGreaterThanOrEqualTo(3);

        // The README's screenshot: the finished scan with its map and chart, the pointer off the map.
        driver.executeScript("window.scrollTo(0, 0); document.activeElement.blur();");
        Files.createDirectories(SCREENSHOTS);
        Path shot = SCREENSHOTS.resolve("port-map.png");
        Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), shot, StandardCopyOption.REPLACE_EXISTING);
        assertThat(Files.readAllBytes(shot)).startsWith(0x89, 'P', 'N', 'G');

        List<String> errors = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).map(LogEntry::getMessage).toList();
        assertThat(errors).as("errors in the browser console").isEmpty();
    }
}
