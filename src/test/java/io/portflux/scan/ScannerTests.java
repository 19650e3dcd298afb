package io.portflux.scan;

import static org.assertj.core.api.Assertions.assertThat;

import io.portflux.scan.event.EventData;
import io.portflux.scan.event.ScanEvent;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

class ScannerTests {

    private static List<ScanEvent> run(Prober prober, ScanPlan plan) {
        return new Scanner(prober, Duration.ofMillis(250)).scan("s1", plan, Mono.never()).collectList().block(Duration.ofSeconds(30));
    }

    private static EventData.Done done(List<ScanEvent> events) {
        return (EventData.Done) events.get(events.size() - 1).data();
    }

    @Test
    void eventsAreOrderedAndNumberedAndCountersAddUp() {
        FakeProber prober = FakeProber.openOn(2, 22, 80);
        List<ScanEvent> events = run(prober, Plans.plan("127.0.0.1-3", "1-100", 16, 1, null, false, true));

        assertThat(events.get(0).data()).isInstanceOf(EventData.Started.class);
        assertThat(events.get(events.size() - 2).data()).isInstanceOf(EventData.Progress.class);
        for (int i = 0; i < events.size(); i++) {
            assertThat(events.get(i).id()).isEqualTo(i + 1);
        }
        EventData.Done done = done(events);
        assertThat(done.status()).isEqualTo("completed");
        assertThat(done.total()).isEqualTo(300);
        assertThat(done.scanned()).isEqualTo(300);
        assertThat(done.open() + done.closed() + done.filtered() + done.errors()).isEqualTo(done.scanned());
        assertThat(done.open()).isEqualTo(6);
        assertThat(done.openPorts()).extracting(EventData.OpenPort::port).containsOnly(22, 80);
        List<EventData.Port> ports = events.stream().map(ScanEvent::data)
                .filter(EventData.Port.class::isInstance).map(EventData.Port.class::cast).toList();
        assertThat(ports).hasSize(6).allSatisfy(p -> {
            assertThat(p.state()).isEqualTo("open");
            assertThat(p.reason()).isEqualTo("conn-accept");
        });
        assertThat(ports).filteredOn(p -> p.port() == 22).allSatisfy(p -> assertThat(p.service()).isEqualTo("ssh"));
        assertThat(prober.attempts).hasSize(300);
    }

    @Test
    void everyProbeIsSentExactlyOnceAndEachLaneGetsItsShare() {
        FakeProber prober = FakeProber.openOn(2);
        run(prober, Plans.plan("127.0.0.1-4", "1-250", 32, 0, null, false, true));
        Set<InetSocketAddress> distinct = new HashSet<>();
        prober.attempts.forEach(a -> distinct.add(a.address()));
        assertThat(prober.attempts).hasSize(1000);
        assertThat(distinct).hasSize(1000);
        assertThat(prober.attempts).extracting(FakeProber.Attempt::lane).containsOnly(0, 1);
        assertThat(prober.attempts.stream().filter(a -> a.lane() == 0).count()).isEqualTo(500);
        assertThat(prober.maxInFlight.get()).isLessThanOrEqualTo(32);
    }

    @Test
    void reportAllAddsClosedAndFilteredPortEvents() {
        FakeProber prober = new FakeProber(1, a -> Mono.just(switch (a.getPort()) {
            case 1 -> new ProbeOutcome.Open(Duration.ofMillis(1));
            case 2 -> new ProbeOutcome.Refused(Duration.ofMillis(1));
            case 3 -> new ProbeOutcome.Unreachable(Reason.HOST_UNREACH, Duration.ofMillis(1));
            default -> new ProbeOutcome.NoResponse(Duration.ofMillis(200));
        }));
        List<ScanEvent> events = run(prober, Plans.plan("127.0.0.1", "1-4", 4, 0, null, true, false));
        List<String> states = events.stream().map(ScanEvent::data).filter(EventData.Port.class::isInstance)
                .map(d -> ((EventData.Port) d).port() + ":" + ((EventData.Port) d).state() + "/" + ((EventData.Port) d).reason())
                .sorted().toList();
        assertThat(states).containsExactly("1:open/conn-accept", "2:closed/conn-refused", "3:filtered/host-unreach",
                "4:filtered/no-response");
        EventData.Done done = done(events);
        assertThat(done.filtered()).isEqualTo(2);
        assertThat(done.closed()).isEqualTo(1);
    }

    @Test
    void probesWithoutAnswerAreRetried() {
        FakeProber prober = new FakeProber(1, a -> Mono.just(new ProbeOutcome.NoResponse(Duration.ofMillis(200))));
        EventData.Done done = done(run(prober, Plans.plan("127.0.0.1", "7", 1, 3, null, false, false)));
        assertThat(prober.attemptsOn(7)).isEqualTo(4);
        assertThat(done.filtered()).isEqualTo(1);
    }

    @Test
    void aLateAnswerAfterARetryCounts() {
        AtomicInteger calls = new AtomicInteger();
        FakeProber prober = new FakeProber(1, a -> Mono.just(calls.incrementAndGet() == 1
                ? new ProbeOutcome.NoResponse(Duration.ofMillis(200))
                : new ProbeOutcome.Open(Duration.ofMillis(2))));
        EventData.Done done = done(run(prober, Plans.plan("127.0.0.1", "7", 1, 1, null, false, false)));
        assertThat(done.open()).isEqualTo(1);
    }

    @Test
    void aSelfConnectIsNeverOpen() {
        FakeProber prober = new FakeProber(1, a -> Mono.just(new ProbeOutcome.SelfConnect()));
        List<ScanEvent> events = run(prober, Plans.plan("127.0.0.1", "40000", 1, 0, null, true, false));
        EventData.Done done = done(events);
        assertThat(done.open()).isZero();
        assertThat(done.closed()).isEqualTo(1);
        assertThat(prober.attemptsOn(40000)).as("a self-connect is tried again once").isEqualTo(2);
        assertThat(events).extracting(ScanEvent::data).filteredOn(EventData.Port.class::isInstance)
                .singleElement().extracting(d -> ((EventData.Port) d).reason()).isEqualTo("self-connect");
    }

    @Test
    void aSelfConnectFollowedByARefusalIsClosed() {
        AtomicInteger calls = new AtomicInteger();
        FakeProber prober = new FakeProber(1, a -> Mono.just(calls.incrementAndGet() == 1
                ? new ProbeOutcome.SelfConnect()
                : new ProbeOutcome.Refused(Duration.ofMillis(1))));
        EventData.Done done = done(run(prober, Plans.plan("127.0.0.1", "40000", 1, 0, null, false, false)));
        assertThat(done.closed()).isEqualTo(1);
        assertThat(done.open()).isZero();
    }

    @Test
    void aPersistentLocalFaultIsCountedAsAnErrorAfterBackingOffNeverAsClosed() {
        VirtualTimeScheduler time = VirtualTimeScheduler.create();
        FakeProber prober = new FakeProber(1, a -> Mono.just(new ProbeOutcome.LocalFault("EMFILE", "Too many open files")));
        ScanPlan plan = Plans.plan("127.0.0.1", "9", 1, 0, null, true, false);
        StepVerifier.withVirtualTime(() -> new Scanner(prober, Duration.ofMillis(250), time).scan("s", plan, Mono.never()), () -> time, Long.MAX_VALUE)
                .expectNextMatches(e -> e.data() instanceof EventData.Started)
                .then(() -> assertThat(prober.attemptsOn(9)).isEqualTo(1))
                .thenAwait(Duration.ofSeconds(5))
                .expectNextMatches(e -> e.data() instanceof EventData.Port p && p.state().equals("error")
                        && p.reason().equals("local-fault"))
                .thenConsumeWhile(e -> e.data() instanceof EventData.Progress)
                .expectNextMatches(e -> e.data() instanceof EventData.Done d && d.errors() == 1 && d.closed() == 0
                        && d.scanned() == 1)
                .verifyComplete();
        assertThat(prober.attemptsOn(9)).isEqualTo(1 + Scanner.LOCAL_FAULT_RETRIES);
    }

    @Test
    void aProbeCutOffByTheProbersShutdownIsAnErrorAtOnceNotRetriedAndNotALocalFault() {
        FakeProber prober = new FakeProber(1, a -> Mono.just(new ProbeOutcome.ShutDown()));
        AtomicInteger faults = new AtomicInteger();
        ScanObserver observer = new ScanObserver() {
            @Override
            public void localFault(String code) {
                faults.incrementAndGet();
            }
        };
        List<ScanEvent> events = new Scanner(prober, Duration.ofMillis(250), reactor.core.scheduler.Schedulers.parallel(),
                observer).scan("s", Plans.plan("127.0.0.1", "9", 1, 3, null, true, false), Mono.never())
                .collectList().block(Duration.ofSeconds(30));
        assertThat(events).anyMatch(e -> e.data() instanceof EventData.Port p && p.state().equals("error"));
        assertThat(done(events).closed()).isZero();
        assertThat(prober.attemptsOn(9)).as("never retried").isEqualTo(1);
        assertThat(faults).as("not counted as a local fault").hasValue(0);
    }

    @Test
    void aLocalFaultThatClearsGivesTheRealAnswer() {
        AtomicInteger calls = new AtomicInteger();
        FakeProber prober = new FakeProber(1, a -> Mono.just(calls.incrementAndGet() < 3
                ? new ProbeOutcome.LocalFault("EADDRNOTAVAIL", "Cannot assign requested address")
                : new ProbeOutcome.Refused(Duration.ofMillis(1))));
        EventData.Done done = done(run(prober, Plans.plan("127.0.0.1", "9", 1, 0, null, false, false)));
        assertThat(done.closed()).isEqualTo(1);
        assertThat(done.errors()).isZero();
        assertThat(calls.get()).isEqualTo(3);
    }

    @Test
    void theStopSignalCancelsProbesAndEndsWithCancelled() {
        FakeProber prober = new FakeProber(2, a -> Mono.never());
        Sinks.One<String> stop = Sinks.one();
        ScanPlan plan = Plans.plan("127.0.0.1", "1-1000", 50, 0, null, false, true);
        StepVerifier.create(new Scanner(prober, Duration.ofMillis(250)).scan("s", plan, stop.asMono()))
                .expectNextMatches(e -> e.data() instanceof EventData.Started)
                .then(() -> assertThat(prober.inFlight.get()).isEqualTo(50))
                .then(() -> stop.tryEmitValue("cancelled by request"))
                .expectNextMatches(e -> e.data() instanceof EventData.Progress)
                .expectNextMatches(e -> e.data() instanceof EventData.Done d && d.status().equals("cancelled")
                        && d.message().equals("cancelled by request") && d.scanned() == 0)
                .verifyComplete();
        assertThat(prober.inFlight.get()).isZero();
        assertThat(prober.cancelled.get()).isEqualTo(50);
    }

    @Test
    void cancellingTheSubscriberCancelsEveryProbe() {
        FakeProber prober = new FakeProber(2, a -> Mono.never());
        ScanPlan plan = Plans.plan("127.0.0.1", "1-1000", 40, 0, null, false, true);
        StepVerifier.create(new Scanner(prober, Duration.ofMillis(250)).scan("s", plan, Mono.never()))
                .expectNextCount(1)
                .then(() -> assertThat(prober.inFlight.get()).isEqualTo(40))
                .thenCancel()
                .verify(Duration.ofSeconds(5));
        assertThat(prober.inFlight.get()).isZero();
    }

    @Test
    void progressIsConflatedToTheInterval() {
        VirtualTimeScheduler time = VirtualTimeScheduler.create();
        // Each probe takes 10 ms of virtual time, 2 at a time: 1000 probes take 5 s.
        FakeProber prober = new FakeProber(1, a -> Mono.delay(Duration.ofMillis(10), time)
                .thenReturn(new ProbeOutcome.Refused(Duration.ofMillis(10))));
        ScanPlan plan = Plans.plan("127.0.0.1", "1-1000", 2, 0, null, false, false);
        List<ScanEvent> events = new java.util.ArrayList<>();
        StepVerifier.withVirtualTime(() -> new Scanner(prober, Duration.ofMillis(250), time).scan("s", plan, Mono.never()), () -> time, Long.MAX_VALUE)
                .recordWith(() -> events)
                .thenAwait(Duration.ofSeconds(10))
                .thenConsumeWhile(e -> true)
                .verifyComplete();
        long progress = events.stream().filter(e -> e.data() instanceof EventData.Progress).count();
        // 5 s at 4 per second, plus the final one.
        assertThat(progress).isBetween(15L, 21L);
        List<Long> scanned = events.stream().map(ScanEvent::data).filter(EventData.Progress.class::isInstance)
                .map(d -> ((EventData.Progress) d).scanned()).toList();
        assertThat(scanned).isSorted();
        assertThat(scanned.get(scanned.size() - 1)).isEqualTo(1000);
    }

    @Test
    void theRateCapHoldsProbesBack() {
        VirtualTimeScheduler time = VirtualTimeScheduler.create();
        FakeProber prober = FakeProber.openOn(2);
        ScanPlan plan = Plans.plan("127.0.0.1", "1-1000", 64, 0, 200, false, true);
        StepVerifier.withVirtualTime(() -> new Scanner(prober, Duration.ofMillis(250), time).scan("s", plan, Mono.never()), () -> time, Long.MAX_VALUE)
                .expectNextMatches(e -> e.data() instanceof EventData.Started)
                .thenAwait(Duration.ofSeconds(1))
                .then(() -> assertThat(prober.attempts.size()).isBetween(150, 200))
                .thenAwait(Duration.ofSeconds(2))
                .then(() -> assertThat(prober.attempts.size()).isBetween(550, 600))
                .thenAwait(Duration.ofSeconds(3))
                .thenConsumeWhile(e -> true)
                .verifyComplete();
        assertThat(prober.attempts).hasSize(1000);
    }

    @Test
    void openPortsInDoneAreInNumericAddressOrder() {
        FakeProber prober = FakeProber.openOn(2, 80);
        EventData.Done done = done(run(prober, Plans.plan("127.0.0.1-12", "80", 8, 0, null, false, true)));
        assertThat(done.openPorts()).extracting(EventData.OpenPort::ip).containsExactly(
                "127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.6", "127.0.0.7",
                "127.0.0.8", "127.0.0.9", "127.0.0.10", "127.0.0.11", "127.0.0.12");
    }

    @Test
    void aFailingProberEndsTheScanWithFailedAndAMessage() {
        FakeProber prober = new FakeProber(1, a -> Mono.error(new IllegalStateException("boom")));
        EventData.Done done = done(run(prober, Plans.plan("127.0.0.1", "1-5", 1, 0, null, false, false)));
        assertThat(done.status()).isEqualTo("failed");
        assertThat(done.message()).contains("boom");
    }

    @Test
    void sequentialOrderWalksPortsInOrder() {
        FakeProber prober = FakeProber.openOn(1);
        run(prober, Plans.plan("127.0.0.1", "1-50", 1, 0, null, false, false));
        assertThat(prober.attempts).extracting(a -> a.address().getPort())
                .containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(1, 50).boxed().toList());
    }

    @Test
    void theSameSeedGivesTheSameOrder() {
        FakeProber a = FakeProber.openOn(1);
        FakeProber b = FakeProber.openOn(1);
        run(a, Plans.plan("127.0.0.1", "1-200", 1, 0, null, false, true));
        run(b, Plans.plan("127.0.0.1", "1-200", 1, 0, null, false, true));
        assertThat(a.attempts).extracting(FakeProber.Attempt::address).containsExactlyElementsOf(
                b.attempts.stream().map(FakeProber.Attempt::address).toList());
        assertThat(a.attempts).extracting(x -> x.address().getPort())
                .isNotEqualTo(java.util.stream.IntStream.rangeClosed(1, 200).boxed().toList());
    }


    /** CountingObserver counts the scan hooks it hears. */
    static final class CountingObserver implements ScanObserver {
        final AtomicInteger started = new AtomicInteger();
        final List<String> finished = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public void scanStarted() {
            started.incrementAndGet();
        }

        @Override
        public void scanFinished(ScanStatus status) {
            finished.add(status.wireName());
        }
    }

    @Test
    void theObserverHearsOneStartAndOneFinishPerScan() {
        CountingObserver observer = new CountingObserver();
        Scanner scanner = new Scanner(FakeProber.openOn(1, 22), Duration.ofMillis(250),
                reactor.core.scheduler.Schedulers.parallel(), observer);
        scanner.scan("s1", Plans.plan("127.0.0.1", "20-25", 4, 0, null, false, true), Mono.never())
                .blockLast(Duration.ofSeconds(30));
        assertThat(observer.started).hasValue(1);
        assertThat(observer.finished).containsExactly("completed");
    }

    @Test
    void aScanCancelledBeforeItsFirstRequestIsNeitherStartedNorFinished() {
        CountingObserver observer = new CountingObserver();
        Scanner scanner = new Scanner(FakeProber.openOn(1, 22), Duration.ofMillis(250),
                reactor.core.scheduler.Schedulers.parallel(), observer);
        reactor.core.publisher.BaseSubscriber<ScanEvent> idle = new reactor.core.publisher.BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(org.reactivestreams.Subscription subscription) {
                // requests nothing
            }
        };
        scanner.scan("s1", Plans.plan("127.0.0.1", "20-25", 4, 0, null, false, true), Mono.never()).subscribe(idle);
        idle.dispose();
        assertThat(observer.started).hasValue(0);
        assertThat(observer.finished).isEmpty();
    }
}
