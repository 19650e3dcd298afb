package io.portflux.port;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portflux.input.InvalidInputException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class PortListTests {

    @Test
    void parsesSinglePortsAndRangesSortedAndDistinct() {
        PortList ports = PortList.parse(" 443, 22 ,80-82,22,81, 8080 - 8081");
        assertThat(ports.toArray()).containsExactly(22, 80, 81, 82, 443, 8080, 8081);
        assertThat(ports.size()).isEqualTo(7);
        assertThat(ports.portAt(0)).isEqualTo(22);
        assertThat(ports.portAt(6)).isEqualTo(8081);
        assertThat(ports.contains(443)).isTrue();
        assertThat(ports.contains(444)).isFalse();
        assertThat(ports).hasToString("22,80-82,443,8080-8081");
    }

    @Test
    void parsesBoundaries() {
        assertThat(PortList.parse("1").toArray()).containsExactly(1);
        assertThat(PortList.parse("65535").toArray()).containsExactly(65535);
        assertThat(PortList.parse("65535-65535").toArray()).containsExactly(65535);
    }

    @Test
    void parsesKeywords() {
        PortList all = PortList.parse("all");
        assertThat(all.size()).isEqualTo(65535);
        assertThat(all.portAt(0)).isEqualTo(1);
        assertThat(all.portAt(65534)).isEqualTo(65535);

        PortList wellKnown = PortList.parse("well-known");
        assertThat(wellKnown.size()).isEqualTo(1023);
        assertThat(wellKnown.portAt(1022)).isEqualTo(1023);

        PortList top100 = PortList.parse("top-100");
        assertThat(top100.size()).isEqualTo(100);
        assertThat(top100.toArray()).contains(22, 80, 443).isSorted();

        PortList top1000 = PortList.parse("TOP-1000");
        assertThat(top1000.size()).isEqualTo(1000);
        assertThat(top1000.toArray()).contains(22, 80, 443, 3306, 8080).doesNotContain(6443, 10250, 2379).isSorted();

        assertThat(PortList.parse("well-known,8080,all").size()).isEqualTo(65535);
        assertThat(PortList.parse("top-100,top-1000")).isEqualTo(top1000);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"  "})
    void missingMeansTop1000(String ports) {
        assertThat(PortList.parse(ports)).isEqualTo(PortList.parse("top-1000"));
    }

    @ParameterizedTest
    @ValueSource(strings = {",,", " , ", "80,", ",80", "80,,443", "80, ,443", "top-100,"})
    void anEmptyEntryIsRefusedWithTheWholeValue(String ports) {
        assertThatThrownBy(() -> PortList.parse(ports))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> {
                    assertThat(e.field()).isEqualTo("ports");
                    assertThat(e.value()).isEqualTo(ports);
                    assertThat(e.getMessage()).contains("empty entry");
                });
    }

    @Test
    void presetsCombineWithEachOtherAndWithRanges() {
        PortList kubernetes = PortList.parse("kubernetes");
        assertThat(kubernetes.toArray()).contains(6443, 2379, 2380, 10250, 10257, 10259, 10249, 10255, 10256, 9153,
                10254, 30000, 32767).doesNotContain(29999, 32768, 22);
        assertThat(kubernetes.size()).isEqualTo(11 + 2768);
        PortList cloudNative = PortList.parse("cloud-native");
        assertThat(cloudNative.toArray()).contains(4222, 5672, 9092, 27017, 4317, 15021).doesNotContain(6443, 10250, 2379);
        PortList combined = PortList.parse("top-1000,kubernetes,8080-8090");
        assertThat(combined.size()).isEqualTo(java.util.stream.IntStream.concat(
                java.util.stream.IntStream.concat(Arrays.stream(PortList.parse("top-1000").toArray()),
                        Arrays.stream(kubernetes.toArray())),
                java.util.stream.IntStream.rangeClosed(8080, 8090)).distinct().count());
        assertThat(combined.toArray()).contains(22, 6443, 31000, 8085);
        assertThat(PortList.parse("Kubernetes")).isEqualTo(kubernetes);
    }

    @Test
    void anUnknownWordNamesEveryPreset() {
        assertThatThrownBy(() -> PortList.parse("k8s"))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.getMessage())
                        .contains("all, well-known, top-100, top-1000, kubernetes, cloud-native"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "0|out of range",
                "65536|out of range",
                "999999|out of range",
                "99999999999999999999|out of range",
                "0-10|out of range",
                "1-65536|out of range",
                "100-10|start is after",
                "-80|both ends",
                "80-|both ends",
                "1-2-3|both ends",
                "http|not a port",
                "+80|not a port",
                "8O|not a port",
                "1.5|not a port",
                "80:81|not a port",
                "top-10|not a port",
                "1-x|not a port",
                "٨٠|not a port",
            })
    void rejectsInvalidEntries(String entry, String problem) {
        assertThatThrownBy(() -> PortList.parse("22, " + entry + " ,443"))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> {
                    assertThat(e.field()).isEqualTo("ports");
                    assertThat(e.value()).isEqualTo(entry);
                    assertThat(e.getMessage()).contains(problem);
                });
    }

    @Test
    void ofDeduplicatesAndSorts() {
        assertThat(PortList.of(443, 22, 443).toArray()).containsExactly(22, 443);
        assertThat(PortList.of(443, 22)).isEqualTo(PortList.parse("22,443"));
        assertThatThrownBy(PortList::of).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PortList.of(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void toArrayIsACopy() {
        PortList ports = PortList.parse("22,80");
        int[] array = ports.toArray();
        array[0] = 9;
        assertThat(ports.portAt(0)).isEqualTo(22);
        assertThat(Arrays.stream(ports.toArray()).boxed()).containsExactly(22, 80);
        assertThatThrownBy(() -> ports.portAt(2)).isInstanceOf(IndexOutOfBoundsException.class);
    }
}
