package io.portflux.probe;

import io.portflux.probe.ProbeLoops.Transport;
import io.portflux.scan.ScanObserver;
import io.portflux.scan.ScanPlan;
import io.portflux.scan.Scanner;
import io.portflux.scan.event.EventData;
import io.portflux.scan.event.ScanEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * FdLimitedScan is the child process of {@link FdExhaustionTests}: started under a small open-file
 * limit, it scans 127.0.0.1 on the ports in a file with an in-flight budget far above that limit,
 * and prints the default budget it would take (with 16 descriptors of headroom), one line per port
 * event, the done event, and the local faults it met (their count, then the count per code).
 *
 * <p>Arguments: transport, path of a file holding the port list.
 */
public final class FdLimitedScan {

    private FdLimitedScan() {}

    public static void main(String[] args) throws Exception {
        Transport transport = Transport.valueOf(args[0]);
        String ports = Files.readString(Path.of(args[1])).trim();
        AtomicInteger faults = new AtomicInteger();
        Map<String, AtomicInteger> codes = new ConcurrentHashMap<>();
        ScanObserver observer = new ScanObserver() {
            @Override
            public void localFault(String code) {
                faults.incrementAndGet();
                codes.computeIfAbsent(code, c -> new AtomicInteger()).incrementAndGet();
            }
        };
        try (ProbeLoops loops = new ProbeLoops(2, transport)) {
            System.out.println("transport " + loops.transport());
            System.out.println("default budget " + ConnectProber.defaultBudget(16));
            ConnectProber prober = new ConnectProber(loops, 4000);
            Scanner scanner = new Scanner(prober, Duration.ofMillis(250), Schedulers.parallel(), observer);
            ScanPlan plan = LoopbackPlans.plan(ports, 1000, "1s", 1, 7);
            List<ScanEvent> events = scanner.scan("fd-limited", plan, Mono.never())
                    .collectList()
                    .block(Duration.ofSeconds(120));
            for (ScanEvent event : events) {
                if (event.data() instanceof EventData.Port p) {
                    System.out.println("port " + p.port() + " " + p.state() + " " + p.reason());
                } else if (event.data() instanceof EventData.Done d) {
                    System.out.println("done " + d.status() + " scanned " + d.scanned() + " open " + d.open()
                            + " closed " + d.closed() + " filtered " + d.filtered() + " errors " + d.errors());
                }
            }
            System.out.println("faults " + faults.get() + " " + codes);
        }
    }
}
