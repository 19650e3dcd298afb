package io.portflux.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.portflux.probe.ProbeLoops.Transport;
import io.portflux.scan.Scanner;
import io.portflux.scan.event.EventData;
import io.portflux.scan.event.ScanEvent;
import io.portflux.testing.ListenerPool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.publisher.Mono;

/**
 * A scan that keeps its own probe loops busy must still find every listener open: a connect the kernel
 * completed is open even when the loop reads the answer after the timeout. 12 listeners among 300
 * full-queue ports (which never answer) and 10,001 closed ones, at 4,096 in flight, with a 150 ms timeout
 * and no retries, three times on each transport. Loopback only.
 */
class BusyLoopsTests {

    private static final int LISTENERS = 12;
    private static final int FULL_QUEUES = 300;
    private static final int SCANS = 3;

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Transport.class, names = {"IO_URING", "EPOLL", "NIO"})
    void listenersAreOpenOnEveryScanWhileTheLoopsAreBusy(Transport transport) throws Exception {
        try (ListenerPool pool = new ListenerPool(); ProbeLoops loops = new ProbeLoops(2, transport)) {
            Assumptions.assumeTrue(loops.transport() == transport, () -> transport + " is not available here");
            List<Integer> listeners = new ArrayList<>();
            for (int i = 0; i < LISTENERS; i++) {
                listeners.add(pool.open());
            }
            String fullQueues = pool.fullQueues(FULL_QUEUES);
            String ports = "20000-30000," + fullQueues + ","
                    + listeners.stream().map(String::valueOf).collect(Collectors.joining(","));
            Scanner scanner = new Scanner(new LoopbackOnlyProber(new ConnectProber(loops, 8192)),
                    Duration.ofMillis(250));

            Map<String, String> missed = new HashMap<>();
            for (int scan = 1; scan <= SCANS; scan++) {
                Map<Integer, String> verdicts = new HashMap<>();
                List<ScanEvent> events = scanner
                        .scan("busy-" + scan, LoopbackPlans.plan(ports, 4096, "150ms", 0, scan), Mono.never())
                        .collectList()
                        .block(Duration.ofSeconds(60));
                for (ScanEvent event : events) {
                    if (event.data() instanceof EventData.Port p) {
                        verdicts.put(p.port(), p.state() + " " + p.reason() + " " + p.rttMs() + " ms");
                    }
                }
                for (int port : listeners) {
                    String verdict = verdicts.get(port);
                    if (verdict == null || !verdict.startsWith("open conn-accept")) {
                        missed.put("scan " + scan + " port " + port, String.valueOf(verdict));
                    }
                }
            }
            assertThat(missed).as("listeners not found open").isEmpty();
        }
    }
}
