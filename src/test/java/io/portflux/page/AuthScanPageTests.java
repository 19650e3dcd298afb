package io.portflux.page;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * AuthScanPageTests drive the page in headless Chromium against a server that wants a bearer
 * token: the page asks for it, sends it on fetch calls, and follows scans through stream tickets.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "portflux.security.tokens=" + AuthScanPageTests.TOKEN)
class AuthScanPageTests extends ChromiumPageTest {

    AuthScanPageTests() {
        expectedConsoleErrors.add(EXPECTED_401);
    }


    static final String TOKEN = "page-token-0123456789abcdef";
    /** The refusals these tests provoke on purpose, before the token is entered. */
    private static final Pattern EXPECTED_401 = Pattern.compile("/api/scans .*status of 401");




    @Test
    void theTokenFieldAppearsAScanWithoutItIsRefusedAndWithItCompletesOverATicket() throws Exception {
        int a = listeners.open();
        int b = listeners.open();
        driver.get(url("/"));
        driver.executeScript("sessionStorage.clear()");
        driver.navigate().refresh();

        WebElement token = wait(Duration.ofSeconds(10)).until(d -> visible("token"));
        assertThat(token.getDomAttribute("type")).isEqualTo("password");
        assertThat(driver.findElement(By.cssSelector("label[for=token]")).getText()).isEqualTo("Access token");
        WebElement ports = driver.findElement(By.id("ports"));
        ports.clear();
        ports.sendKeys(a + "," + b);

        // Without the token the server refuses, and the page says so at the token field.
        driver.findElement(By.id("scan-button")).click();
        WebElement problem = wait(Duration.ofSeconds(10)).until(d -> visible("form-error"));
        assertThat(problem.getText()).contains("needs an access token");
        assertThat(token.getDomAttribute("aria-invalid")).isEqualTo("true");
        assertThat(status()).isEqualTo("idle");

        token.sendKeys(TOKEN);
        driver.findElement(By.id("scan-button")).click();
        awaitStatus("completed");
        assertThat(text("c-scanned")).isEqualTo("2 / 2");
        assertThat(text("c-open")).isEqualTo("2");
        // EventSource cannot send the token: the stream was opened with a ticket, never the token.
        List<String> streams = eventStreams();
        assertThat(streams).isNotEmpty().allSatisfy(u -> assertThat(u).contains("ticket=").doesNotContain(TOKEN));
        assertThat(driver.getCurrentUrl()).doesNotContain(TOKEN).doesNotContain("ticket");
        assertThat(driver.executeScript("return sessionStorage.getItem('portflux.token')")).isEqualTo(TOKEN);
        // A download link cannot send the token either: it carries a ticket for this scan's results.
        WebElement csv = wait(Duration.ofSeconds(10)).until(d -> {
            WebElement link = visible("download-csv");
            return link != null && link.getDomAttribute("href").contains("ticket=") ? link : null;
        });
        assertThat(csv.getDomAttribute("href")).doesNotContain(TOKEN);
        assertThat(ScanPageTests.fetchText(csv.getDomProperty("href"))).startsWith("scan_id,timestamp,host,ip,port,");
    }

    @Test
    void reopeningAScanByItsLinkFetchesAFreshTicket() throws Exception {
        int a = listeners.open();
        driver.get(url("/"));
        driver.executeScript("sessionStorage.setItem('portflux.token', arguments[0])", TOKEN);
        driver.get(url("/?targets=127.0.0.1&ports=" + a + "&autostart=true"));
        awaitStatus("completed");
        String scanUrl = driver.getCurrentUrl();

        driver.get("about:blank");
        driver.get(scanUrl);
        awaitStatus("completed");
        assertThat(text("c-open")).isEqualTo("1");
        assertThat(eventStreams()).singleElement().asString().contains("ticket=");
    }

    /**
     * The event streams this page opened. Its EventSource runs in a worker, whose requests are not in the
     * page's resource timing, so the page marks each URL it hands to the worker.
     */
    @SuppressWarnings("unchecked")
    private static List<String> eventStreams() {
        return ((List<Object>) driver.executeScript(
                "return performance.getEntriesByName('event-stream').map(e => e.detail)"))
                .stream().map(String::valueOf).toList();
    }
}
