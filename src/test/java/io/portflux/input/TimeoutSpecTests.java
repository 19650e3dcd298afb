package io.portflux.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class TimeoutSpecTests {

    @ParameterizedTest(name = "{0} = {1} ns")
    @CsvSource({
        "500ms, 500000000",
        "2s, 2000000000",
        "1.5s, 1500000000",
        "1m, 60000000000",
        "0.5m, 30000000000",
        "1500, 1500000000",
        "1, 1000000",
        "' 250ms ', 250000000",
        "2S, 2000000000",
        "0.25ms, 250000",
        "007s, 7000000000",
    })
    void parsesDurations(String value, long nanos) {
        assertThat(TimeoutSpec.parse("timeout", value)).isEqualTo(Duration.ofNanos(nanos));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "0|greater than zero",
                "0ms|greater than zero",
                "0.0s|greater than zero",
                "-1|positive",
                "-500ms|positive",
                "1.5|bare number",
                "abc|not a duration",
                "ms|not a duration",
                "5 s|not a duration",
                "5h|not a duration",
                "1e3|not a duration",
                "PT2S|not a duration",
                "1.s|not a duration",
                ".5s|not a duration",
                "10000000000000000000|not a duration",
                "999999999999999999m|too large",
                "0.0000001ms|finer than a nanosecond",
            })
    void rejectsInvalidDurations(String value, String problem) {
        assertThatThrownBy(() -> TimeoutSpec.parse("timeout", value))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> {
                    assertThat(e.field()).isEqualTo("timeout");
                    assertThat(e.value()).isEqualTo(value);
                    assertThat(e.getMessage()).contains(problem);
                });
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = "  ")
    void rejectsMissingValues(String value) {
        assertThatThrownBy(() -> TimeoutSpec.parse("timeout", value))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> {
                    assertThat(e.field()).isEqualTo("timeout");
                    assertThat(e.getMessage()).contains("required");
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {"connectTimeout", "retryDelay"})
    void namesTheGivenField(String field) {
        assertThatThrownBy(() -> TimeoutSpec.parse(field, "x"))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo(field));
    }
}
