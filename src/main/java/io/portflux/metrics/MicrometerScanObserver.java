package io.portflux.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.portflux.scan.PortState;
import io.portflux.scan.Reason;
import io.portflux.scan.ScanObserver;
import io.portflux.scan.ScanStatus;
import io.portflux.scan.event.EventData;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * MicrometerScanObserver turns the engine's scan hooks into Micrometer meters: probes by state and
 * reason, probe RTTs, open ports, local faults, and scans running and finished.
 *
 * <p>Every meter a verdict touches is created up front and looked up in an {@link EnumMap}, so the
 * per-probe path on the event loops builds no tags and takes no lock beyond the meters' own.
 */
public final class MicrometerScanObserver implements ScanObserver {


    /** Local fault codes the probe layer reports (see ConnectErrors); created up front at zero. */
    static final List<String> FAULT_CODES =
            List.of("EMFILE", "ENFILE", "ENOBUFS", "EADDRNOTAVAIL", "EADDRINUSE", "ENOMEM", "UNKNOWN");

    /** Connect RTTs run from tens of microseconds on loopback to the 30 s maximum probe timeout. */
    static final Duration RTT_MIN = Duration.ofNanos(50_000);
    static final Duration RTT_MAX = Duration.ofSeconds(30);
    static final Duration[] RTT_SLOS = {
        Duration.ofNanos(100_000), Duration.ofMillis(1), Duration.ofMillis(10), Duration.ofMillis(100),
        Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(5)
    };

    private final MeterRegistry registry;
    private final Map<Reason, Counter> probes = new EnumMap<>(Reason.class);
    private final Map<Reason, Timer> rtts = new EnumMap<>(Reason.class);
    private final Counter openPorts;
    private final Map<String, Counter> scans = new ConcurrentHashMap<>();
    private final Map<String, Counter> localFaults = new ConcurrentHashMap<>();
    private final Map<String, Counter> detections = new ConcurrentHashMap<>();
    private final Timer detectionTime;
    private final AtomicInteger running = new AtomicInteger();

    public MicrometerScanObserver(MeterRegistry registry) {
        this.registry = registry;
        Map<PortState, Timer> rttByState = new EnumMap<>(PortState.class);
        for (Reason reason : Reason.values()) {
            probes.put(reason, Counter.builder("portflux.probes")
                    .description("Probes that got their final verdict, by port state and reason")
                    .tag("state", reason.state().wireName())
                    .tag("reason", reason.wireName())
                    .register(registry));
            // One histogram per state, not per reason, since the buckets multiply every series; a local
            // fault never reached the target, so it has no RTT and its state gets no histogram.
            if (reason.state() != PortState.ERROR) {
                rtts.put(reason, rttByState.computeIfAbsent(reason.state(), this::rttTimer));
            }
        }
        openPorts = Counter.builder("portflux.ports.open")
                .description("Open ports found")
                .register(registry);
        ScanStatus.FINAL.stream().map(ScanStatus::wireName).toList().forEach(this::scanCounter);
        FAULT_CODES.forEach(this::faultCounter);
        detectionTime = Timer.builder("portflux.detection.duration")
                .description("Time from an open port's event to the end of its service detection")
                .serviceLevelObjectives(Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofMillis(500),
                        Duration.ofSeconds(1), Duration.ofSeconds(3))
                .register(registry);
        Gauge.builder("portflux.scans.running", running, AtomicInteger::get)
                .description("Scans running in this process, streamed and background")
                .strongReference(true)
                .register(registry);
    }

    private Timer rttTimer(PortState state) {
        return Timer.builder("portflux.probe.rtt")
                .description("Connect round-trip time of probes that got an answer")
                .tag("state", state.wireName())
                .publishPercentileHistogram()
                .minimumExpectedValue(RTT_MIN)
                .maximumExpectedValue(RTT_MAX)
                .serviceLevelObjectives(RTT_SLOS)
                .register(registry);
    }

    private Counter scanCounter(String status) {
        return scans.computeIfAbsent(status, s -> Counter.builder("portflux.scans")
                .description("Scans finished, by final status")
                .tag("status", s)
                .register(registry));
    }

    private Counter faultCounter(String code) {
        return localFaults.computeIfAbsent(code, c -> Counter.builder("portflux.probe.local.faults")
                .description("Connect attempts that failed locally (descriptors, buffers, source ports)")
                .tag("code", c)
                .register(registry));
    }

    @Override
    public void scanStarted() {
        running.incrementAndGet();
    }

    @Override
    public void scanFinished(ScanStatus status) {
        running.decrementAndGet();
        scanCounter(status.wireName()).increment();
    }

    @Override
    public void verdict(Reason reason, Duration rtt) {
        probes.get(reason).increment();
        if (reason == Reason.CONN_ACCEPT) {
            openPorts.increment();
        }
        Timer timer = rtts.get(reason);
        if (rtt != null && timer != null) {
            timer.record(rtt);
        }
    }

    @Override
    public void localFault(String code) {
        faultCounter(code).increment();
    }

    @Override
    public void detected(String method, String service, Duration took) {
        // Only a probed name is a tag: the table's guesses are every name of the port table.
        String name = EventData.Service.PROBED.equals(method) && service != null ? service : "none";
        detections.computeIfAbsent(method + " " + name, key -> Counter.builder("portflux.detections")
                        .description("Open ports whose service detection is over, by how the service was named")
                        .tag("method", method)
                        .tag("service", name)
                        .register(registry))
                .increment();
        detectionTime.record(took);
    }
}
