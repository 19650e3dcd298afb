package io.portflux.page;

import static org.assertj.core.api.Assertions.assertThat;

import io.portflux.testing.ListenerPool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * ChromiumPageTest is the shared frame of the browser tests: one headless Chromium per test class,
 * a fresh page and the test's own loopback listeners per test, and no console error left unexplained.
 */
abstract class ChromiumPageTest {

    // One browser per class: starting Chromium costs a second or two per test otherwise.
    static HeadlessChromium chromium;
    static ChromeDriver driver;

    @LocalServerPort
    int port;

    final ListenerPool listeners = new ListenerPool();
    /** Console errors a test provokes on purpose, such as the 400 of a rejected scan. */
    final List<Pattern> expectedConsoleErrors = new ArrayList<>();

    @BeforeAll
    static void startBrowser() throws Exception {
        chromium = new HeadlessChromium();
        driver = chromium.driver();
    }

    @AfterAll
    static void stopBrowser() throws Exception {
        if (chromium != null) {
            chromium.close();
            chromium = null;
        }
    }

    @BeforeEach
    void freshPage() {
        driver.manage().window().setSize(new Dimension(1280, 900));
        driver.get("about:blank");
        // Reading the browser log empties it, so each test sees only its own messages.
        driver.manage().logs().get(LogType.BROWSER);
    }

    @AfterEach
    void noUnexpectedConsoleErrors() throws Exception {
        List<String> errors;
        try {
            errors = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                    .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                    .map(LogEntry::getMessage)
                    .filter(m -> expectedConsoleErrors.stream().noneMatch(p -> p.matcher(m).find()))
                    .toList();
            // Leaving the page closes its EventSource before the listeners go away.
            driver.get("about:blank");
        } finally {
            listeners.close();
        }
        assertThat(errors).as("errors in the browser console").isEmpty();
    }

    String url(String pathAndQuery) {
        return "http://127.0.0.1:" + port + pathAndQuery;
    }

    static final Duration SCAN_WAIT = Duration.ofSeconds(20);

    static WebDriverWait wait(Duration timeout) {
        WebDriverWait wait = new WebDriverWait(driver, timeout);
        wait.pollingEvery(Duration.ofMillis(40));
        return wait;
    }

    static void awaitStatus(String expected) {
        wait(SCAN_WAIT).withMessage(() -> "status line: " + text("status") + " / " + text("status-message"))
                .until(d -> expected.equals(status()));
    }

    static String status() {
        return driver.findElement(By.id("status")).getDomAttribute("data-status");
    }

    static String text(String id) {
        return driver.findElement(By.id(id)).getText();
    }

    static WebElement visible(String id) {
        WebElement e = driver.findElement(By.id(id));
        return e.isDisplayed() ? e : null;
    }
}
