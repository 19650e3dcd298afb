package io.portflux.page;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * SchedulesPageTests drive the Schedules view in headless Chromium: a bad cron is refused with the field marked, a
 * schedule every 2 s is created from the form, its runs appear with their change counts, a listener started
 * between two runs makes a run with one change, and clicking that run opens its diff with the port highlighted.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SchedulesPageTests extends ChromiumPageTest {

    SchedulesPageTests() {
        // The bad cron below is refused on purpose.
        expectedConsoleErrors.add(Pattern.compile("/api/schedules .*status of 400"));
    }

    private static void type(String id, String value) {
        WebElement input = driver.findElement(By.id(id));
        input.clear();
        input.sendKeys(value);
    }

    @Test
    void aScheduleMadeOnThePageShowsItsRunsAndARunWithAChangeOpensItsDiff() throws Exception {
        int open = listeners.open();
        int late;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            late = probe.getLocalPort();
        }
        driver.get(url("/"));
        type("sched-name", "page-watch");
        type("sched-cron", "* * *");
        type("sched-targets", "127.0.0.1");
        type("sched-ports", open + "," + late);
        driver.findElement(By.id("schedule-save")).click();
        wait(SCAN_WAIT).until(d -> visible("schedule-error"));
        assertThat(text("schedule-error")).contains("cron='* * *'");
        assertThat(driver.findElement(By.id("sched-cron")).getDomAttribute("aria-invalid")).isEqualTo("true");

        type("sched-cron", "*/2 * * * * *");
        driver.findElement(By.id("schedule-save")).click();
        wait(SCAN_WAIT).until(d -> text("schedule-status").startsWith("Saved page-watch: next run"));
        assertThat(driver.findElement(By.id("schedule-error")).isDisplayed()).isFalse();
        assertThat(driver.findElement(By.id("sched-cron")).getDomAttribute("aria-invalid")).isNull();

        // The first run, then a listener: a later run finds it, and says so in the list.
        wait(SCAN_WAIT).until(d -> !d.findElements(By.cssSelector("#schedules-table .schedule-run")).isEmpty());
        assertThat(driver.findElement(By.cssSelector("#schedules-table tbody tr .schedule-next")).getText()).isNotBlank();
        try (ServerSocket listener = new ServerSocket(late, 50, InetAddress.getLoopbackAddress())) {
            WebElement changed = wait(SCAN_WAIT).until(d -> d.findElements(
                    By.cssSelector("#schedules-table .schedule-run[data-changes='1']")).stream().findFirst().orElse(null));
            assertThat(changed.getText()).contains("completed · 1 change");
            String scanId = changed.getDomAttribute("data-scan");
            changed.click();
            awaitStatus("completed");
            assertThat(driver.getCurrentUrl()).endsWith("?scan=" + scanId);
            wait(SCAN_WAIT).until(d -> !d.findElements(By.cssSelector("#diff-table tbody tr.changed")).isEmpty());
            WebElement row = driver.findElement(By.cssSelector("#diff-table tbody tr.changed"));
            assertThat(row.getDomAttribute("data-port")).isEqualTo(Integer.toString(late));
            assertThat(text("diff-summary")).contains("1 changed");
        }

        // Edit, then delete: the list empties.
        driver.findElement(By.cssSelector("#schedules-table .schedule-edit")).click();
        assertThat(driver.findElement(By.id("sched-name")).getDomProperty("value")).isEqualTo("page-watch");
        driver.findElement(By.id("schedule-delete")).click();
        wait(SCAN_WAIT).until(d -> visible("schedules-empty"));
    }
}
