package io.portflux.page;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * ResultsPageTests drive the results of finished scans in headless Chromium: a download link for every
 * export format, served by the server, and the diff view, which highlights a listener started between two
 * scans as a change and a port range added to the second as not comparable.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ResultsPageTests extends ChromiumPageTest {

    ResultsPageTests() {
        // The diff against "previous" is refused on purpose below: no earlier scan has the same ports.
        expectedConsoleErrors.add(Pattern.compile("/diff\\?base=previous .*status of 400"));
    }

    private String scan(String ports) {
        driver.get(url("/?targets=127.0.0.1&ports=" + ports + "&report=all&timeout=300ms&retries=0&autostart=true"));
        awaitStatus("completed");
        String current = driver.getCurrentUrl();
        return current.substring(current.indexOf("?scan=") + "?scan=".length());
    }

    @Test
    void everyFormatIsADownloadFromTheServer() throws Exception {
        int open = listeners.open();
        String id = scan(Integer.toString(open));
        for (String[] f : List.of(new String[] {"json", "json"}, new String[] {"ndjson", "ndjson"},
                new String[] {"csv", "csv"}, new String[] {"xml", "xml"}, new String[] {"grepable", "gnmap"})) {
            WebElement link = wait(SCAN_WAIT).until(d -> visible("download-" + f[0]));
            assertThat(link.getDomAttribute("href")).isEqualTo("/api/scans/" + id + "/results?format=" + f[0]);
            assertThat(link.getDomAttribute("download")).isEqualTo("portflux-" + id + "." + f[1]);
        }
        assertThat(ScanPageTests.fetchText(visible("download-xml").getDomProperty("href")))
                .startsWith("<?xml").contains("<nmaprun scanner=\"nmap\"").contains("portid=\"" + open + "\"");
        assertThat(ScanPageTests.fetchText(visible("download-grepable").getDomProperty("href")))
                .contains("Host: 127.0.0.1 ()\tPorts: " + open + "/open/tcp//");
        assertThat(ScanPageTests.fetchText(visible("download-ndjson").getDomProperty("href")).lines())
                .singleElement().asString().contains("\"port\":" + open);
    }

    @Test
    void theDiffHighlightsAListenerStartedBetweenTwoScansAndAnAddedRange() throws Exception {
        int open = listeners.open();
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        String base = scan(open + "," + port);
        try (ServerSocket listener = new ServerSocket(port, 50, InetAddress.getLoopbackAddress())) {
            scan(open + "," + port + ",1-3");
        }
        // The base is picked from the history.
        Select pick = new Select(wait(SCAN_WAIT).until(d -> {
            WebElement select = d.findElement(By.id("diff-base"));
            return select.findElements(By.cssSelector("option[value='" + base + "']")).isEmpty() ? null : select;
        }));
        pick.selectByValue(base);
        driver.findElement(By.id("diff-button")).click();
        wait(SCAN_WAIT).until(d -> !d.findElements(By.cssSelector("#diff-table tbody tr")).isEmpty());

        WebElement changed = driver.findElement(By.cssSelector("#diff-table tbody tr.changed"));
        assertThat(changed.getDomAttribute("data-port")).isEqualTo(Integer.toString(port));
        List<String> cells = changed.findElements(By.tagName("td")).stream().map(WebElement::getText).toList();
        assertThat(cells.get(2)).startsWith("closed (conn-refused)");
        assertThat(cells.get(3)).startsWith("open (conn-accept)");
        assertThat(cells.get(4)).contains("state");
        assertThat(driver.findElements(By.cssSelector("#diff-table tbody tr.changed"))).hasSize(1);
        assertThat(driver.findElements(By.cssSelector("#diff-table tbody tr.not-comparable")))
                .extracting(row -> row.getDomAttribute("data-port")).containsExactly("1", "2", "3");
        // Highlighted: a changed row does not look like a not-comparable one.
        String changedBackground = changed.getCssValue("background-color");
        assertThat(changedBackground).isNotEqualTo(driver.findElement(By.cssSelector("#diff-table tbody tr.not-comparable"))
                .getCssValue("background-color"));
        assertThat(text("diff-summary")).contains("1 changed, 3 not comparable").contains("ports 1-3 only in this scan");

        // "previous" needs an earlier scan with the same ports: there is none, and the page says so.
        pick.selectByValue("previous");
        driver.findElement(By.id("diff-button")).click();
        wait(SCAN_WAIT).until(d -> text("diff-summary").contains("no earlier completed scan"));
        assertThat(driver.findElement(By.id("diff-table")).isDisplayed()).isFalse();
    }
}
