package io.portflux.probe;

import io.portflux.testing.Await;
import io.portflux.testing.Listeners;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import io.portflux.probe.ProbeLoops.Transport;
import io.portflux.scan.ProbeOutcome;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConnectProberTests {

    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final Duration SHORT = Duration.ofMillis(300);

    private final InetAddress v4 = InetAddress.getLoopbackAddress();
    private final Map<Transport, ProbeLoops> loops = new EnumMap<>(Transport.class);

    @BeforeAll
    void startLoops() {
        for (Transport t : Transport.values()) {
            loops.put(t, new ProbeLoops(2, t));
        }
    }

    @AfterAll
    void stopLoops() {
        loops.values().forEach(ProbeLoops::close);
    }

    /** A prober on {@code transport}; skips the test when this machine does not have it. */
    private ConnectProber prober(Transport transport, long budget) {
        ProbeLoops l = loops.get(transport);
        Assumptions.assumeTrue(transport == Transport.AUTO || l.transport() == transport,
                () -> transport + " is not available here");
        return new ConnectProber(l, budget);
    }

    private static ProbeOutcome await(Mono<ProbeOutcome> probe) {
        return probe.block(Duration.ofSeconds(10));
    }


    @Test
    void theBestAvailableTransportIsUsed() {
        Transport best = IoUring.isAvailable() ? Transport.IO_URING
                : Epoll.isAvailable() ? Transport.EPOLL : Transport.NIO;
        assertThat(loops.get(Transport.AUTO).transport()).isEqualTo(best);
        assertThat(loops.get(Transport.AUTO).nativeTransport()).isEqualTo(best != Transport.NIO);
        assertThat(loops.get(Transport.EPOLL).transport())
                .isEqualTo(Epoll.isAvailable() ? Transport.EPOLL : Transport.NIO);
        assertThat(loops.get(Transport.NIO).transport()).isEqualTo(Transport.NIO);
        assertThat(loops.get(Transport.NIO).nativeTransport()).isFalse();
        assertThat(new ProbeLoops(1, false)).satisfies(nio -> {
            try {
                assertThat(nio.transport()).isEqualTo(Transport.NIO);
            } finally {
                nio.close();
            }
        });
    }

    @Test
    void newChannelsAreOfTheLoopsTransport() {
        for (ProbeLoops l : loops.values()) {
            var ch = l.newSocketChannel();
            try {
                assertThat(ch).isInstanceOf(l.socketChannelType());
            } finally {
                ch.unsafe().closeForcibly();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Transport.class)
    void openPortIsOpen(Transport transport) throws Exception {
        ConnectProber prober = prober(transport, 64);
        try (ServerSocket listener = new ServerSocket(0, 50, v4)) {
            ProbeOutcome outcome = await(prober.probe(0, new InetSocketAddress(v4, listener.getLocalPort()), TIMEOUT));
            assertThat(outcome).isInstanceOf(ProbeOutcome.Open.class);
            assertThat(((ProbeOutcome.Open) outcome).rtt()).isPositive().isLessThan(TIMEOUT);
        }
        Idle.await(prober);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Transport.class)
    void unusedPortIsRefused(Transport transport) throws Exception {
        ConnectProber prober = prober(transport, 64);
        int port = Listeners.unusedPort(v4);
        ProbeOutcome outcome = await(prober.probe(1, new InetSocketAddress(v4, port), TIMEOUT));
        assertThat(outcome).isInstanceOf(ProbeOutcome.Refused.class);
        Idle.await(prober);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Transport.class)
    void fullQueueListenerGivesNoResponse(Transport transport) throws Exception {
        ConnectProber prober = prober(transport, 64);
        try (Listeners.FullQueue silent = new Listeners.FullQueue(v4)) {
            ProbeOutcome outcome = await(prober.probe(0, silent.address(), SHORT));
            // The prober's own measure: it waited out the timeout, not less.
            assertThat(outcome).isInstanceOfSatisfying(ProbeOutcome.NoResponse.class,
                    none -> assertThat(none.rtt()).isGreaterThanOrEqualTo(SHORT));
        }
        Idle.await(prober);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Transport.class)
    void ipv6LoopbackOpenAndRefused(Transport transport) throws Exception {
        InetAddress v6 = Listeners.ipv6LoopbackOrSkip();
        assertThat(v6).isInstanceOf(Inet6Address.class);
        ConnectProber prober = prober(transport, 64);
        try (ServerSocket listener = new ServerSocket(0, 50, v6)) {
            assertThat(await(prober.probe(0, new InetSocketAddress(v6, listener.getLocalPort()), TIMEOUT)))
                    .isInstanceOf(ProbeOutcome.Open.class);
        }
        int unused = Listeners.unusedPort(v6);
        assertThat(await(prober.probe(1, new InetSocketAddress(v6, unused), TIMEOUT)))
                .isInstanceOf(ProbeOutcome.Refused.class);
        Idle.await(prober);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Transport.class)
    void cancellingAPendingProbeClosesItsChannel(Transport transport) throws Exception {
        ConnectProber prober = prober(transport, 64);
        try (Listeners.FullQueue silent = new Listeners.FullQueue(v4)) {
            Disposable subscription = prober.probe(0, silent.address(), Duration.ofSeconds(30)).subscribe();
            Await.until(() -> prober.inFlight() == 1, "probe socket open");
            subscription.dispose();
            // Only closing the socket ends a 30 s connect this soon.
            Idle.await(prober);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Transport.class)
    void inFlightReturnsToZeroAfterManyProbes(Transport transport) throws Exception {
        ConnectProber prober = prober(transport, 64);
        try (ServerSocket listener = new ServerSocket(0, 200, v4)) {
            InetSocketAddress open = new InetSocketAddress(v4, listener.getLocalPort());
            InetSocketAddress closed = new InetSocketAddress(v4, Listeners.unusedPort(v4));
            List<ProbeOutcome> outcomes = Flux.range(0, 200)
                    .flatMap(i -> prober.probe(i % 2, i % 4 == 0 ? open : closed, TIMEOUT), 32)
                    .collectList()
                    .block(Duration.ofSeconds(20));
            assertThat(outcomes).hasSize(200);
            assertThat(outcomes.stream().filter(ProbeOutcome.Open.class::isInstance)).hasSize(50);
            assertThat(outcomes.stream().filter(ProbeOutcome.Refused.class::isInstance)).hasSize(150);
        }
        Idle.await(prober);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Transport.class)
    void eachLaneRunsOnItsOwnLoopThread(Transport transport) throws Exception {
        ConnectProber prober = prober(transport, 64);
        assertThat(prober.lanes()).isEqualTo(2);
        InetSocketAddress closed = new InetSocketAddress(v4, Listeners.unusedPort(v4));
        List<Set<String>> threadsPerLane = new ArrayList<>();
        for (int lane = 0; lane < prober.lanes(); lane++) {
            int l = lane;
            Set<String> names = new HashSet<>(Flux.range(0, 20)
                    .flatMap(i -> prober.probe(l, closed, TIMEOUT).map(o -> Thread.currentThread().getName()), 8)
                    .collectList()
                    .block(Duration.ofSeconds(10)));
            threadsPerLane.add(names);
        }
        assertThat(threadsPerLane.get(0)).hasSize(1);
        assertThat(threadsPerLane.get(1)).hasSize(1);
        assertThat(threadsPerLane.get(0)).doesNotContainAnyElementsOf(threadsPerLane.get(1));
        assertThat(threadsPerLane.get(0).iterator().next()).startsWith("portflux-probe");
        Idle.await(prober);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Transport.class)
    void budgetCapsChannelsAcrossLanes(Transport transport) throws Exception {
        ConnectProber prober = prober(transport, 2);
        try (Listeners.FullQueue silent = new Listeners.FullQueue(v4)) {
            AtomicInteger peak = new AtomicInteger();
            Disposable sampler = Flux.interval(Duration.ofMillis(2))
                    .subscribe(t -> peak.accumulateAndGet(prober.inFlight(), Math::max));
            try {
                List<ProbeOutcome> outcomes = Flux.range(0, 10)
                        .flatMap(i -> prober.probe(i % 2, silent.address(), Duration.ofMillis(200)), 10)
                        .collectList()
                        .block(Duration.ofSeconds(10));
                assertThat(outcomes).hasSize(10).allMatch(ProbeOutcome.NoResponse.class::isInstance);
            } finally {
                sampler.dispose();
            }
            assertThat(peak.get()).isEqualTo(2);
        }
        Idle.await(prober);
        assertThat(prober.budget().queued()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Transport.class)
    void openProbesLeaveNoTimeWait(Transport transport) throws Exception {
        ConnectProber prober = prober(transport, 64);
        int port;
        // The listener accepts and closes after the peer's close, as a real service would: with an
        // orderly close by the prober, that leaves the prober's side in TIME_WAIT.
        try (ServerSocket listener = new ServerSocket(0, 100, v4)) {
            port = listener.getLocalPort();
            Thread acceptor = new Thread(() -> {
                while (!listener.isClosed()) {
                    try (java.net.Socket s = listener.accept()) {
                        s.getInputStream().read();
                    } catch (IOException e) {
                        // a reset by the prober, or the listener closing: both end this connection
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            InetSocketAddress open = new InetSocketAddress(v4, port);
            List<ProbeOutcome> outcomes = Flux.range(0, 20)
                    .concatMap(i -> prober.probe(i % 2, open, TIMEOUT))
                    .collectList()
                    .block(Duration.ofSeconds(10));
            assertThat(outcomes).allMatch(ProbeOutcome.Open.class::isInstance);
            Idle.await(prober);
            List<String> timeWait = TcpTable.timeWaitPorts();
            Assumptions.assumeTrue(timeWait != null, "no /proc/net/tcp here");
            assertThat(timeWait).doesNotContain(Integer.toString(port));
        }
    }

    @Test
    void selfConnectIsRecognisedByAddressAndPort() throws Exception {
        InetAddress mapped = InetAddress.getByAddress(
                new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 127, 0, 0, 1});
        InetSocketAddress target = new InetSocketAddress(v4, 40000);
        assertThat(ConnectProber.isSelfConnect(new InetSocketAddress(v4, 40000), target)).isTrue();
        assertThat(ConnectProber.isSelfConnect(new InetSocketAddress(mapped, 40000), target)).isTrue();
        assertThat(ConnectProber.isSelfConnect(new InetSocketAddress(v4, 40001), target)).isFalse();
        assertThat(ConnectProber.isSelfConnect(
                        new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 40000), target))
                .isFalse();
    }

    @Test
    void rejectsUnresolvedAddressesAndBadLanesWithoutConnecting() {
        ConnectProber prober = prober(Transport.AUTO, 64);
        StepVerifier.create(prober.probe(0, InetSocketAddress.createUnresolved("localhost", 80), TIMEOUT))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("unresolved"))
                .verify(Duration.ofSeconds(10));
        StepVerifier.create(prober.probe(2, new InetSocketAddress(v4, 80), TIMEOUT))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("no lane 2"))
                .verify(Duration.ofSeconds(10));
        assertThat(prober.inFlight()).isZero();
    }

}
