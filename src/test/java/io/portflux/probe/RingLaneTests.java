package io.portflux.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.portflux.probe.ProbeLoops.Transport;
import io.portflux.scan.ProbeOutcome;
import io.portflux.testing.Listeners;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Assumptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The io_uring probe path: ring probes, socket reuse after refusals, spares and shutdown. Loopback only. */
class RingLaneTests {

    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final InetAddress v4 = InetAddress.getLoopbackAddress();
    private ProbeLoops loops;

    @BeforeEach
    void ringLoops() {
        loops = new ProbeLoops(2, Transport.IO_URING);
        Assumptions.assumeTrue(loops.transport() == Transport.IO_URING, "io_uring is not available here");
    }

    @AfterEach
    void stopLoops() {
        loops.close();
    }

    private static ProbeOutcome await(Mono<ProbeOutcome> probe) {
        return probe.block(Duration.ofSeconds(10));
    }

    private static void awaitIdle(ConnectProber prober) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while ((prober.inFlight() != 0 || prober.budget().inUse() != 0) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(prober.inFlight()).as("probe sockets still open, spares included").isZero();
        assertThat(prober.budget().inUse()).as("budget slots still held").isZero();
    }

    @Test
    void ioUringLoopsProbeOnTheRingAndOtherTransportsOnChannels() {
        assertThat(new ConnectProber(loops, 8).ringProbes()).isTrue();
        try (ProbeLoops nio = new ProbeLoops(1, Transport.NIO)) {
            ConnectProber channels = new ConnectProber(nio, 8);
            assertThat(channels.ringProbes()).isFalse();
            assertThat(channels.socketsOpened()).isZero();
        }
    }

    @Test
    void refusedSocketsAreReusedForTheNextProbes() throws Exception {
        ConnectProber prober = new ConnectProber(loops, 64);
        InetSocketAddress closed = new InetSocketAddress(v4, Listeners.unusedPort(v4));
        List<ProbeOutcome> outcomes = Flux.range(0, 300)
                .concatMap(i -> prober.probe(0, closed, TIMEOUT))
                .collectList()
                .block(Duration.ofSeconds(20));
        assertThat(outcomes).hasSize(300).allMatch(ProbeOutcome.Refused.class::isInstance);
        // One at a time on one lane: each probe finds the previous one's reset socket as a spare.
        assertThat(prober.socketsOpened()).isLessThan(10);
        awaitIdle(prober);
    }

    @Test
    void aReusedSocketStillTellsOpenFromClosed() throws Exception {
        ConnectProber prober = new ConnectProber(loops, 64);
        try (ServerSocket listener = new ServerSocket(0, 50, v4)) {
            InetSocketAddress open = new InetSocketAddress(v4, listener.getLocalPort());
            InetSocketAddress closed = new InetSocketAddress(v4, Listeners.unusedPort(v4));
            List<InetSocketAddress> order = List.of(closed, open, closed, closed, open, closed);
            List<ProbeOutcome> outcomes = Flux.fromIterable(order)
                    .concatMap(target -> prober.probe(1, target, TIMEOUT))
                    .collectList()
                    .block(Duration.ofSeconds(10));
            assertThat(outcomes).extracting(o -> o.getClass().getSimpleName())
                    .containsExactly("Refused", "Open", "Refused", "Refused", "Open", "Refused");
            // A refusal leaves a spare; an open probe closes its socket: 1 + 1 + 1 sockets in all.
            assertThat(prober.socketsOpened()).isEqualTo(3);
        }
        awaitIdle(prober);
    }

    @Test
    void sparesGiveWayToProbesWaitingForTheBudget() throws Exception {
        ConnectProber prober = new ConnectProber(loops, 1);
        InetSocketAddress closed = new InetSocketAddress(v4, Listeners.unusedPort(v4));
        // With one budget slot, a spare held by one lane must not starve the other lane's probes.
        List<ProbeOutcome> outcomes = Flux.range(0, 40)
                .flatMap(i -> prober.probe(i % 2, closed, TIMEOUT), 4)
                .collectList()
                .block(Duration.ofSeconds(20));
        assertThat(outcomes).hasSize(40).allMatch(ProbeOutcome.Refused.class::isInstance);
        awaitIdle(prober);
    }

    @Test
    void aTimedOutConnectIsCancelledOnTheRingAndReportedAsNoResponse() throws Exception {
        ConnectProber prober = new ConnectProber(loops, 64);
        Duration timeout = Duration.ofMillis(40);
        try (Listeners.FullQueue silent = new Listeners.FullQueue(v4)) {
            ProbeOutcome outcome = await(prober.probe(0, silent.address(), timeout));
            assertThat(outcome).isInstanceOf(ProbeOutcome.NoResponse.class);
            assertThat(((ProbeOutcome.NoResponse) outcome).rtt()).isGreaterThanOrEqualTo(timeout);
        }
        awaitIdle(prober);
    }

    @Test
    void shuttingTheLoopsDownAnswersPendingProbesAndClosesTheirSockets() throws Exception {
        ConnectProber prober = new ConnectProber(loops, 64);
        try (Listeners.FullQueue silent = new Listeners.FullQueue(v4)) {
            Mono<ProbeOutcome> pending = prober.probe(0, silent.address(), Duration.ofSeconds(30)).cache();
            pending.subscribe();
            long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            while (prober.inFlight() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertThat(prober.inFlight()).as("probe started").isEqualTo(1);
            loops.close();
            ProbeOutcome outcome = await(pending);
            assertThat(outcome).isInstanceOfSatisfying(ProbeOutcome.LocalFault.class,
                    fault -> assertThat(fault.code()).isEqualTo("SHUTDOWN"));
            assertThat(prober.inFlight()).isZero();
            assertThat(prober.budget().inUse()).isZero();
        }
    }
}
