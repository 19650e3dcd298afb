package io.portflux.page;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.stream.Collectors;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;

/**
 * PortMapReader reads the page's port map back from its canvas: the colour of one port's cell, the
 * colour the stylesheet gives a state, and how many cells have each colour.
 */
final class PortMapReader {

    /** Cells in a row of the map: port = row × 256 + column. */
    static final int SIZE = 256;

    private final WebDriver driver;

    PortMapReader(WebDriver driver) {
        this.driver = driver;
    }

    /** The colour of {@code port}'s cell as the canvas holds it, {@code #rrggbb}. */
    String cell(int port) {
        return (String) script("const d = document.getElementById('port-map').getContext('2d')"
                + ".getImageData(arguments[0] % 256, Math.floor(arguments[0] / 256), 1, 1).data;"
                + "if (d[3] !== 255) return 'alpha ' + d[3];"
                + "return '#' + [d[0], d[1], d[2]].map(v => v.toString(16).padStart(2, '0')).join('');", port);
    }

    /** The colour the stylesheet gives {@code state} (its {@code --map-*} property), {@code #rrggbb}. */
    String colour(String state) {
        String hex = (String) script("const c = document.createElement('canvas').getContext('2d');"
                + "c.fillStyle = getComputedStyle(document.documentElement).getPropertyValue('--map-' + arguments[0]).trim();"
                + "return c.fillStyle;", state);
        assertThat(hex).as("--map-%s", state).matches("#[0-9a-f]{6}");
        return hex;
    }

    /** How many cells of the map have each colour. */
    Map<String, Long> histogram() {
        @SuppressWarnings("unchecked")
        Map<String, Object> counts = (Map<String, Object>) script(
                // Counted as 32-bit words and named at the end: a string per pixel would make this read
                // itself a long task on the page it measures.
                "const d = document.getElementById('port-map').getContext('2d').getImageData(0, 0, 256, 256).data;"
                        + "const words = new Uint32Array(d.buffer);"
                        + "const byWord = new Map();"
                        + "for (const w of words) byWord.set(w, (byWord.get(w) || 0) + 1);"
                        + "const counts = {};"
                        + "for (const [w, n] of byWord) {"
                        + "  const k = '#' + [w & 255, (w >>> 8) & 255, (w >>> 16) & 255].map(v => v.toString(16).padStart(2, '0')).join('');"
                        + "  counts[(w >>> 24) === 255 ? k : k + ' alpha ' + (w >>> 24)] = n;"
                        + "}"
                        + "return counts;");
        return counts.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> ((Number) e.getValue()).longValue()));
    }

    /**
     * Cells that are not the colour of a port with no answer yet. One tight loop over the pixels as 32-bit
     * words, so that reading the map while a scan streams is not itself a long task on the page.
     */
    long answered() {
        return ((Number) script("const c = document.createElement('canvas').getContext('2d');"
                + "c.fillStyle = getComputedStyle(document.documentElement).getPropertyValue('--map-unprobed').trim();"
                + "c.fillRect(0, 0, 1, 1);"
                + "const unprobed = new Uint32Array(c.getImageData(0, 0, 1, 1).data.buffer)[0];"
                + "const words = new Uint32Array(document.getElementById('port-map').getContext('2d')"
                + "  .getImageData(0, 0, 256, 256).data.buffer);"
                + "let n = 0;"
                + "for (let i = 0; i < words.length; i++) if (words[i] !== unprobed) n++;"
                + "return n;")).longValue();
    }

    WebElement canvas() {
        return driver.findElement(By.id("port-map"));
    }

    /** Moves the pointer onto {@code port}'s cell, and clicks it when asked. */
    void pointAt(int port, boolean click) {
        WebElement canvas = canvas();
        ((JavascriptExecutor) driver).executeScript("arguments[0].scrollIntoView({ block: 'nearest' })", canvas);
        double cell = canvas.getRect().getWidth() / (double) SIZE;
        // Offsets count from the element's centre.
        int x = (int) Math.floor((port % SIZE + 0.5) * cell - canvas.getRect().getWidth() / 2.0);
        int y = (int) Math.floor((port / SIZE + 0.5) * cell - canvas.getRect().getHeight() / 2.0);
        Actions actions = new Actions(driver).moveToElement(canvas, x, y);
        (click ? actions.click() : actions).perform();
    }

    String info() {
        return driver.findElement(By.id("map-info")).getText();
    }

    String summary() {
        return driver.findElement(By.id("map-summary")).getText();
    }

    private Object script(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }
}
