package io.portflux.scan;

import static org.assertj.core.api.Assertions.assertThat;

import io.portflux.scan.event.EventData;
import io.portflux.scan.shard.IndexRange;
import io.portflux.scan.event.ScanEvent;
import io.portflux.scan.service.ServiceDetector;
import io.portflux.testing.Await;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** ScannerDetectionTests cover how the engine runs a {@link ServiceDetector} beside its probes. */
class ScannerDetectionTests {

    /** A detector that answers from a script, records what it was asked, and counts detections in flight. */
    static final class FakeDetector implements ServiceDetector {
        final List<InetSocketAddress> asked = new CopyOnWriteArrayList<>();
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger maxInFlight = new AtomicInteger();
        final AtomicInteger cancelled = new AtomicInteger();
        private final Function<InetSocketAddress, Mono<Detection>> script;
        private final int concurrency;

        FakeDetector(int concurrency, Function<InetSocketAddress, Mono<Detection>> script) {
            this.concurrency = concurrency;
            this.script = script;
        }

        @Override
        public Mono<Detection> detect(InetSocketAddress address, Duration connectRtt) {
            return Mono.defer(() -> {
                asked.add(address);
                maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                return script.apply(address);
            })
                    // Counted down before the engine hears of the end, so a replacement never overlaps it here.
                    .doOnTerminate(inFlight::decrementAndGet)
                    .doOnCancel(() -> {
                        cancelled.incrementAndGet();
                        inFlight.decrementAndGet();
                    });
        }

        @Override
        public int concurrency() {
            return concurrency;
        }
    }

    private static Scanner scanner(Prober prober, ServiceDetector detector) {
        return new Scanner(prober, Duration.ofMillis(250), Schedulers.parallel(), ScanObserver.NONE, detector);
    }

    private static List<ScanEvent> run(Prober prober, ServiceDetector detector, ScanPlan plan) {
        return scanner(prober, detector).scan("s", plan, Mono.never()).collectList().block(Duration.ofSeconds(30));
    }

    private static <T extends EventData> List<T> all(List<ScanEvent> events, Class<T> kind) {
        return events.stream().map(ScanEvent::data).filter(kind::isInstance).map(kind::cast).toList();
    }

    private static int indexOf(List<ScanEvent> events, Class<? extends EventData> kind, int port) {
        for (int i = 0; i < events.size(); i++) {
            EventData d = events.get(i).data();
            if (kind.isInstance(d) && (d instanceof EventData.Port p ? p.port() == port
                    : d instanceof EventData.Service s && s.port() == port)) {
                return i;
            }
        }
        return -1;
    }

    private static void awaitInFlight(FakeDetector detector, int n) {
        try {
            Await.until(() -> detector.inFlight.get() == n, n + " detections in flight");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Test
    void everyOpenPortGetsOneServiceEventAfterItsPortEventAndDoneCarriesTheServices() {
        FakeDetector detector = new FakeDetector(8, a -> Mono.just(a.getPort() == 2222
                ? new ServiceDetector.Detection("ssh", "OpenSSH", "9.2p1", "SSH-2.0-OpenSSH_9.2p1", null)
                : new ServiceDetector.Detection("http", "nginx", "1.22.1", null, null))
                .delayElement(Duration.ofMillis(20)));
        List<ScanEvent> events = run(FakeProber.openOn(2, 2222, 8080), detector,
                Plans.plan("127.0.0.1-2", "2200-2300,8080", 16, 0, null, false, true));

        List<EventData.Service> services = all(events, EventData.Service.class);
        assertThat(services).hasSize(4);
        for (int port : new int[] {2222, 8080}) {
            assertThat(indexOf(events, EventData.Port.class, port)).isLessThan(indexOf(events, EventData.Service.class, port));
        }
        assertThat(services).filteredOn(s -> s.port() == 2222).allSatisfy(s -> {
            assertThat(s.service()).isEqualTo("ssh");
            assertThat(s.product()).isEqualTo("OpenSSH");
            assertThat(s.version()).isEqualTo("9.2p1");
            assertThat(s.method()).isEqualTo("probed");
        });
        // The port table calls 2222 something else: the port event keeps the table's name, the service event corrects it.
        assertThat(all(events, EventData.Port.class)).filteredOn(p -> p.port() == 2222)
                .allSatisfy(p -> assertThat(p.service()).isNotEqualTo("ssh"));
        EventData.Done done = (EventData.Done) events.get(events.size() - 1).data();
        assertThat(done.openPorts()).hasSize(4).allSatisfy(p -> assertThat(p.method()).isEqualTo("probed"));
        assertThat(done.openPorts()).filteredOn(p -> p.port() == 8080)
                .allSatisfy(p -> assertThat(p.product()).isEqualTo("nginx"));
        assertThat(detector.asked).hasSize(4);
    }

    @Test
    void aRangeLeftByAnotherHolderDetectsItsUndetectedPortsOnceWithoutSendingTheirPortEventsAgain() {
        FakeDetector detector = new FakeDetector(8, a -> Mono.just(
                new ServiceDetector.Detection("ssh", "OpenSSH", "9.2p1", "SSH-2.0-OpenSSH_9.2p1", null)));
        FakeProber prober = FakeProber.openOn(1, 2222, 8080);
        ScanPlan plan = Plans.plan("127.0.0.1", "2222,8080", 16, 0, null, false, true);
        // The other holder stored 2222's port event and died while detecting it; the range's watermark is past both
        // positions, and 8080 was detected before.
        EventData.Port left = new EventData.Port(null, "127.0.0.1", 2222, "open", "conn-accept", null, 0.1);
        var range = scanner(prober, detector).scanRange(plan, new IndexRange(2, 2), null, List.of(left), Mono.never());
        List<EventData> events = range.events().collectList().block(Duration.ofSeconds(30));

        assertThat(events).singleElement().isInstanceOfSatisfying(EventData.Service.class, s -> {
            assertThat(s.port()).isEqualTo(2222);
            assertThat(s.service()).isEqualTo("ssh");
            assertThat(s.method()).isEqualTo("probed");
        });
        assertThat(detector.asked).extracting(InetSocketAddress::getPort).containsExactly(2222);
        assertThat(prober.attempts).isEmpty();

        // Without detection, the list is not looked at.
        ScanPlan off = Plans.plan("127.0.0.1", "2222,8080", 16, 0, null, true, true);
        assertThat(scanner(prober, detector).scanRange(off, new IndexRange(2, 2), null, List.of(left), Mono.never())
                .events().collectList().block(Duration.ofSeconds(30))).isEmpty();
    }

    @Test
    void theObserverHearsOfEveryDetectionWithItsMethodAndTime() {
        List<String> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
        ScanObserver observer = new ScanObserver() {
            @Override
            public void detected(String method, String service, Duration took) {
                // The ssh answer comes 20 ms after the detector is asked; the other port's at once.
                heard.add(method + " " + service + ("ssh".equals(service) ? " " + (took.toMillis() >= 20) : ""));
            }
        };
        FakeDetector detector = new FakeDetector(8, a -> (a.getPort() == 2222
                ? Mono.just(new ServiceDetector.Detection("ssh", "OpenSSH", "9.2p1", null, null))
                : Mono.<ServiceDetector.Detection>empty()).delayElement(Duration.ofMillis(20)));
        new Scanner(FakeProber.openOn(1, 2222, 8080), Duration.ofMillis(250), Schedulers.parallel(), observer, detector)
                .scan("s", Plans.plan("127.0.0.1", "2222,8080", 16, 0, null, false, true), Mono.never())
                .blockLast(Duration.ofSeconds(30));

        // 8080 said nothing the detector knows: the table's guess, and the observer is told so.
        assertThat(heard).containsExactlyInAnyOrder("probed ssh true", "table http-alt");
    }

    @Test
    void thePortEventGoesOutBeforeDetectionEnds() {
        Sinks.One<ServiceDetector.Detection> answer = Sinks.one();
        FakeDetector detector = new FakeDetector(8, a -> answer.asMono());
        ScanPlan plan = Plans.plan("127.0.0.1", "22", 1, 0, null, false, false);
        // No progress ticks in this scan (an hour apart), so the order of the events is exactly known.
        Scanner quiet = new Scanner(FakeProber.openOn(1, 22), Duration.ofHours(1), Schedulers.parallel(),
                ScanObserver.NONE, detector);
        StepVerifier.create(quiet.scan("s", plan, Mono.never()))
                .expectNextMatches(e -> e.data() instanceof EventData.Started)
                .expectNextMatches(e -> e.data() instanceof EventData.Port p && p.port() == 22)
                .then(() -> answer.tryEmitValue(new ServiceDetector.Detection("ssh", null, null, null, null)))
                .expectNextMatches(e -> e.data() instanceof EventData.Service s && s.service().equals("ssh"))
                .expectNextMatches(e -> e.data() instanceof EventData.Progress p && p.detecting() == 0)
                .expectNextMatches(e -> e.data() instanceof EventData.Done d && d.openPorts().get(0).service().equals("ssh"))
                .verifyComplete();
    }

    @Test
    void progressCountsDetectionsPending() throws InterruptedException {
        Sinks.One<ServiceDetector.Detection> answer = Sinks.one();
        FakeDetector detector = new FakeDetector(8, a -> answer.asMono());
        ScanPlan plan = Plans.plan("127.0.0.1", "21-23", 3, 0, null, false, false);
        List<ScanEvent> seen = new CopyOnWriteArrayList<>();
        scanner(FakeProber.openOn(1, 21, 22, 23), detector).scan("s", plan, Mono.never())
                .doOnNext(seen::add).subscribe();
        try {
            Await.until(() -> seen.stream().anyMatch(e -> e.data() instanceof EventData.Progress p
                    && p.scanned() == 3 && p.detecting() == 3), "a progress event with three detections pending");
        } finally {
            answer.tryEmitEmpty();
        }
        Await.until(() -> seen.stream().anyMatch(e -> e.data() instanceof EventData.Done), "the scan's end");
        List<EventData.Service> services = all(seen, EventData.Service.class);
        assertThat(services).hasSize(3).allSatisfy(s -> assertThat(s.method()).isEqualTo("table"));
    }

    @Test
    void detectionIsBoundedByTheDetectorsConcurrencyAndTheScans() {
        FakeDetector detector = new FakeDetector(3, a -> Mono.<ServiceDetector.Detection>empty()
                .delaySubscription(Duration.ofMillis(10)));
        run(FakeProber.openOn(2, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10), detector,
                Plans.plan("127.0.0.1-4", "1-10", 32, 0, null, false, true));
        assertThat(detector.asked).hasSize(40);
        assertThat(detector.maxInFlight.get()).isEqualTo(3);

        FakeDetector roomy = new FakeDetector(64, a -> Mono.<ServiceDetector.Detection>empty()
                .delaySubscription(Duration.ofMillis(10)));
        run(FakeProber.openOn(2, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10), roomy,
                Plans.plan("127.0.0.1-4", "1-10", 2, 0, null, false, true));
        assertThat(roomy.maxInFlight.get()).as("never more than the scan's own concurrency").isLessThanOrEqualTo(2);
    }

    @Test
    void printerPortsAreNeverTalkedToAndGetTheTablesGuess() {
        FakeDetector detector = new FakeDetector(8, a -> Mono.just(new ServiceDetector.Detection("http", null, null, null, null)));
        List<ScanEvent> events = run(FakeProber.openOn(1, 9099, 9100, 9103, 9107, 9108), detector,
                Plans.plan("127.0.0.1", "9099-9108", 4, 0, null, false, false));
        assertThat(detector.asked).extracting(InetSocketAddress::getPort).containsExactlyInAnyOrder(9099, 9108);
        Map<Integer, EventData.Service> byPort = new ConcurrentHashMap<>();
        all(events, EventData.Service.class).forEach(s -> byPort.put(s.port(), s));
        assertThat(byPort).hasSize(5);
        assertThat(byPort.get(9100).method()).isEqualTo("table");
        assertThat(byPort.get(9100).service()).isEqualTo(io.portflux.port.ServiceNames.of(9100).orElse(null));
        assertThat(byPort.get(9099).method()).isEqualTo("probed");
    }

    @Test
    void aPortThatSaysNothingKnownOrADetectorFaultFallsBackToTheTableGuess() {
        FakeDetector detector = new FakeDetector(8, a -> a.getPort() == 22
                ? Mono.just(new ServiceDetector.Detection(null, null, null, "\u0001garbage", null))
                : Mono.error(new IllegalStateException("bug")));
        List<ScanEvent> events = run(FakeProber.openOn(1, 22, 80), detector,
                Plans.plan("127.0.0.1", "22,80", 2, 0, null, false, false));
        List<EventData.Service> services = all(events, EventData.Service.class);
        assertThat(services).hasSize(2).allSatisfy(s -> assertThat(s.method()).isEqualTo("table"));
        assertThat(services).filteredOn(s -> s.port() == 22).singleElement()
                .satisfies(s -> {
                    assertThat(s.service()).isEqualTo("ssh");
                    assertThat(s.banner()).isEqualTo("\u0001garbage");
                });
        assertThat(((EventData.Done) events.get(events.size() - 1).data()).status()).isEqualTo("completed");
    }

    @Test
    void detectOffOrReportAllByDefaultSendsNoServiceEvents() {
        FakeDetector detector = new FakeDetector(8, a -> Mono.just(new ServiceDetector.Detection("ssh", null, null, null, null)));
        assertThat(all(run(FakeProber.openOn(1, 22), detector, Plans.plan("127.0.0.1", "20-25", 2, 0, null, true, false)),
                EventData.Service.class)).isEmpty();
        assertThat(detector.asked).isEmpty();
    }

    @Test
    void stoppingTheScanCancelsDetectionsInFlight() {
        FakeDetector detector = new FakeDetector(8, a -> Mono.never());
        Sinks.One<String> stop = Sinks.one();
        ScanPlan plan = Plans.plan("127.0.0.1", "21-23", 3, 0, null, false, false);
        Scanner quiet = new Scanner(FakeProber.openOn(1, 21, 22, 23), Duration.ofHours(1), Schedulers.parallel(),
                ScanObserver.NONE, detector);
        StepVerifier.create(quiet.scan("s", plan, stop.asMono()))
                .expectNextMatches(e -> e.data() instanceof EventData.Started)
                .expectNextCount(3)
                .then(() -> awaitInFlight(detector, 3))
                .then(() -> stop.tryEmitValue("stop"))
                .thenConsumeWhile(e -> !(e.data() instanceof EventData.Done))
                .expectNextMatches(e -> e.data() instanceof EventData.Done d && d.status().equals("cancelled"))
                .verifyComplete();
        assertThat(detector.inFlight.get()).isZero();
        assertThat(detector.cancelled.get()).isEqualTo(3);
    }
}
