package io.portflux.port;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TopPortsTests {

    @Test
    void top100HoldsOneHundredDistinctPortsMostCommonFirst() {
        int[] top = TopPorts.top100();
        assertThat(top).hasSize(100).doesNotHaveDuplicates();
        assertThat(Arrays.stream(top).allMatch(port -> port >= 1 && port <= 65535)).isTrue();
        // nmap 7.93's three most often open TCP ports, in order.
        assertThat(Arrays.copyOf(top, 3)).containsExactly(80, 23, 443);
        assertThat(top).contains(22, 21, 3389, 8080);
    }

    @Test
    void top1000IsExactlyNmapsTopThousandStartingWithTheTop100() {
        int[] top = TopPorts.top1000();
        assertThat(top).doesNotHaveDuplicates().hasSize(1000);
        assertThat(Arrays.stream(top).allMatch(port -> port >= 1 && port <= 65535)).isTrue();
        assertThat(Arrays.copyOf(top, 100)).containsExactly(TopPorts.top100());
        // Ports nmap 7.93's --top-ports 1000 scans (its scaninfo), and ones it does not.
        assertThat(top).contains(9090, 9100, 3000, 8500, 8200, 9200, 5432, 8443, 30000, 65389, 1);
        assertThat(top).doesNotContain(6443, 10250, 2379, 2380, 27017, 9092, 6379);
    }

    @Test
    void cloudNativePortsAreTheOnesTheTop1000MissLessKubernetes() {
        int[] cloudNative = TopPorts.cloudNative();
        assertThat(cloudNative).doesNotHaveDuplicates().contains(4222, 5672, 15672, 6379, 9092, 27017, 9093)
                .doesNotContain(6443, 10250, 2379, 2380, 10255, 10256, 10257, 10259, 10249, 9153);
        assertThat(Arrays.stream(cloudNative).filter(p -> Arrays.stream(TopPorts.top1000()).anyMatch(t -> t == p)))
                .isEmpty();
    }

    @Test
    void returnsCopies() {
        TopPorts.top100()[0] = 1;
        TopPorts.top1000()[0] = 1;
        assertThat(TopPorts.top100()[0]).isEqualTo(80);
        assertThat(TopPorts.top1000()[0]).isEqualTo(80);
    }
}
