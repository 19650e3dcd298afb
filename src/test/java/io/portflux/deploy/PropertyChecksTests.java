package io.portflux.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portflux.store.StoreProperties;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.context.properties.bind.BindException;

/**
 * The property records reject bad values as Spring binds them, over the app's own defaults, with a message that
 * names the property and the value (the checks that Bean Validation annotations made before).
 */
class PropertyChecksTests {

    private static final AppSettings APP = AppSettings.app();

    /** Every property record: the chart's and kustomize's, and the store's, which they leave to the image. */
    private static final Map<String, Class<?>> RECORDS = Stream.concat(
                    AppSettings.PORTFLUX_RECORDS.entrySet().stream(),
                    Stream.of(Map.entry("portflux.store", StoreProperties.class)))
            .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));

    @Test
    void theAppsOwnDefaultsBind() {
        RECORDS.forEach((prefix, type) -> assertThat(APP.bindStrictly(prefix, type)).isNotNull());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "portflux.scan|max-probes|0|portflux.scan.max-probes must be at least 1, not 0",
        "portflux.scan|default-concurrency|65537|portflux.scan.default-concurrency must be from 1 to 65536, not 65537",
        "portflux.scan|max-retries|11|portflux.scan.max-retries must be from 0 to 10, not 11",
        "portflux.scan|max-rate|0|portflux.scan.max-rate must be at least 1, not 0",
        "portflux.probe|event-loops|65|portflux.probe.event-loops must be from 0 to 64, not 65",
        "portflux.probe|in-flight-budget|-1|portflux.probe.in-flight-budget must be at least 0, not -1",
        "portflux.scans|max-running|0|portflux.scans.max-running must be from 1 to 1000, not 0",
        "portflux.scans|journal-max-events|15|portflux.scans.journal-max-events must be at least 16, not 15",
        "portflux.quotas|scans-per-minute|100001|portflux.quotas.scans-per-minute must be from 0 to 100000, not 100001",
        "portflux.detect|max-bytes|63|portflux.detect.max-bytes must be from 64 to 1048576, not 63",
        "portflux.detect|concurrency|0|portflux.detect.concurrency must be from 1 to 4096, not 0",
        "portflux.alerts|max-attempts|101|portflux.alerts.max-attempts must be from 1 to 100, not 101",
        "portflux.store|batch-size|4001|portflux.store.batch-size must be from 1 to 4000, not 4001",
        "portflux.store|path|' '|portflux.store.path must not be blank",
        "portflux.cluster|ranges|4097|portflux.cluster.ranges must be from 1 to 4096, not 4097",
        "portflux.cluster|ranges-per-replica|0|portflux.cluster.ranges-per-replica must be from 1 to 64, not 0",
        "portflux.cluster|auto-threshold|0|portflux.cluster.auto-threshold must be at least 1, not 0",
    })
    void aValueOutOfBoundsFailsTheBindingAndNamesThePropertyAndTheValue(
            String prefix, String key, String value, String message) {
        AppSettings bad = AppSettings.parse(prefix.replace(".", ":\n  ") + ":\n    " + key + ": '" + value + "'\n");
        assertThatThrownBy(() -> bad.bindOver(APP, prefix, RECORDS.get(prefix)))
                .isInstanceOf(BindException.class)
                .rootCause()
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }

    @Test
    void anEmptyAllowListFailsTheBinding() {
        AppSettings empty = AppSettings.parse("portflux:\n  targets:\n    allow: ''\n");
        assertThatThrownBy(() -> empty.bindOver(APP, "portflux.targets", AppSettings.PORTFLUX_RECORDS.get(
                        "portflux.targets")))
                .isInstanceOf(BindException.class)
                .rootCause()
                .hasMessage("portflux.targets.allow must list at least one entry");
    }
}
