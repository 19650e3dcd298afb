package io.portflux.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.portflux.scan.Reason;
import io.portflux.scan.ScanStatus;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MicrometerScanObserverTests {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final MicrometerScanObserver observer = new MicrometerScanObserver(registry);

    private double probes(String state, String reason) {
        return registry.get("portflux.probes").tag("state", state).tag("reason", reason).counter().count();
    }

    @Test
    void verdictsAreCountedByStateAndReason() {
        observer.verdict(Reason.CONN_ACCEPT, ms(0.12));
        observer.verdict(Reason.CONN_REFUSED, ms(0.05));
        observer.verdict(Reason.CONN_REFUSED, ms(0.07));
        observer.verdict(Reason.NO_RESPONSE, null);
        observer.verdict(Reason.HOST_UNREACH, ms(3.0));

        assertThat(probes("open", "conn-accept")).isEqualTo(1);
        assertThat(probes("closed", "conn-refused")).isEqualTo(2);
        assertThat(probes("filtered", "no-response")).isEqualTo(1);
        assertThat(probes("filtered", "host-unreach")).isEqualTo(1);
        assertThat(probes("closed", "self-connect")).isZero();
        assertThat(registry.get("portflux.ports.open").counter().count()).isEqualTo(1);
    }

    @Test
    void everyReasonHasItsCounterBeforeAnyProbe() {
        for (Reason reason : Reason.values()) {
            assertThat(probes(reason.state().wireName(), reason.wireName())).isZero();
        }
        assertThat(registry.get("portflux.probes").counters()).hasSize(Reason.values().length);
    }

    @Test
    void answeredProbesRecordTheirRttInTheHistogramOfTheirState() {
        observer.verdict(Reason.CONN_ACCEPT, ms(0.25));
        observer.verdict(Reason.CONN_ACCEPT, ms(20.0));
        observer.verdict(Reason.CONN_REFUSED, ms(0.05));
        observer.verdict(Reason.NO_RESPONSE, null); // no answer: no RTT
        observer.verdict(Reason.LOCAL_FAULT, null);

        Timer open = registry.get("portflux.probe.rtt").tag("state", "open").timer();
        assertThat(open.count()).isEqualTo(2);
        assertThat(open.totalTime(TimeUnit.MICROSECONDS)).isEqualTo(20_250.0);
        assertThat(open.max(TimeUnit.MILLISECONDS)).isEqualTo(20.0);
        assertThat(registry.get("portflux.probe.rtt").tag("state", "closed").timer().count()).isEqualTo(1);
        assertThat(registry.get("portflux.probe.rtt").tag("state", "filtered").timer().count()).isZero();
        // A local fault never reached the target: its state gets no histogram (and no bucket series).
        assertThat(registry.find("portflux.probe.rtt").tag("state", "error").timer()).isNull();
        assertThat(registry.get("portflux.probe.rtt").timers()).hasSize(3);
        // The SLO bucket at 1 ms holds the 0.25 ms probe and not the 20 ms one.
        CountAtBucket oneMs = Arrays.stream(open.takeSnapshot().histogramCounts())
                .filter(b -> b.bucket(TimeUnit.MILLISECONDS) == 1.0).findFirst().orElseThrow();
        assertThat(oneMs.count()).isEqualTo(1);
    }

    @Test
    void localFaultsAreCountedByCode() {
        observer.localFault("EMFILE");
        observer.localFault("EMFILE");
        observer.localFault("ENOBUFS");
        observer.localFault("EWHATEVER");

        assertThat(registry.get("portflux.probe.local.faults").tag("code", "EMFILE").counter().count()).isEqualTo(2);
        assertThat(registry.get("portflux.probe.local.faults").tag("code", "ENOBUFS").counter().count()).isEqualTo(1);
        assertThat(registry.get("portflux.probe.local.faults").tag("code", "ENFILE").counter().count()).isZero();
        assertThat(registry.get("portflux.probe.local.faults").tag("code", "EWHATEVER").counter().count()).isEqualTo(1);
    }

    @Test
    void runningScansRiseAndFallAndFinishedScansAreCountedByStatus() {
        observer.scanStarted();
        observer.scanStarted();
        assertThat(registry.get("portflux.scans.running").gauge().value()).isEqualTo(2);

        observer.scanFinished(ScanStatus.COMPLETED);
        observer.scanFinished(ScanStatus.CANCELLED);

        assertThat(registry.get("portflux.scans.running").gauge().value()).isZero();
        assertThat(registry.get("portflux.scans").tag("status", "completed").counter().count()).isEqualTo(1);
        assertThat(registry.get("portflux.scans").tag("status", "cancelled").counter().count()).isEqualTo(1);
        assertThat(registry.get("portflux.scans").tag("status", "failed").counter().count()).isZero();
    }

    private static Duration ms(double millis) {
        return Duration.ofNanos(Math.round(millis * 1_000_000));
    }

    @Test
    void detectionsAreCountedByMethodAndProbedServiceAndTimed() {
        observer.detected("probed", "ssh", ms(12));
        observer.detected("probed", "ssh", ms(30));
        observer.detected("probed", "http", ms(140));
        observer.detected("table", "EtherNet-IP-1", ms(600));

        assertThat(registry.get("portflux.detections").tag("method", "probed").tag("service", "ssh").counter().count())
                .isEqualTo(2);
        assertThat(registry.get("portflux.detections").tag("method", "probed").tag("service", "http").counter().count())
                .isEqualTo(1);
        // A table guess is not a tag value: the port table has thousands of names.
        assertThat(registry.get("portflux.detections").tag("method", "table").tag("service", "none").counter().count())
                .isEqualTo(1);
        assertThat(registry.find("portflux.detections").tag("service", "EtherNet-IP-1").counter()).isNull();
        Timer took = registry.get("portflux.detection.duration").timer();
        assertThat(took.count()).isEqualTo(4);
        assertThat(took.max(TimeUnit.MILLISECONDS)).isEqualTo(600.0);
    }
}
