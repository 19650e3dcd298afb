package io.portflux.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelException;
import io.netty.channel.IoEventLoop;
import io.netty.channel.unix.Errors;
import io.portflux.probe.ProbeLoops.Transport;
import io.portflux.scan.ProbeOutcome;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * A probe whose socket(2) fails answers its local fault, which cuts the in-flight budget, before it gives
 * its slot back: otherwise the slot goes straight to the next queued probe, which starts on the same
 * thread and fails the same way, through every waiter of the loop before the limit drops.
 */
class SocketFaultTests {

    /** A lane whose every socket(2) fails with EMFILE, as in a process out of descriptors. */
    private static final class NoDescriptorsLane extends ProbeLane {
        final AtomicInteger sockets = new AtomicInteger();

        NoDescriptorsLane(IoEventLoop loop, InFlightBudget budget) {
            super(loop, budget, new AtomicInteger());
        }

        @Override
        int openSocket(boolean ipv6) {
            sockets.incrementAndGet();
            throw new ChannelException(Errors.newIOException("socket", -24)); // EMFILE, as Netty reports it
        }

        @Override
        boolean startConnect(LaneProbe probe, int fd, InetSocketAddress target) {
            throw new AssertionError("no socket, so no connect");
        }

        @Override
        void cancelConnect(LaneProbe probe) {}

        @Override
        boolean reset(LaneProbe probe, int fd, boolean ipv6) {
            return false;
        }

        @Override
        void close(int fd) {}
    }

    @Test
    void aFailedSocketCutsTheBudgetBeforeItsSlotGoesToTheNextWaiter() throws Exception {
        try (ProbeLoops loops = new ProbeLoops(1, Transport.EPOLL)) {
            Assumptions.assumeTrue(loops.transport() == Transport.EPOLL, "epoll is not available here");
            InFlightBudget budget = new InFlightBudget(64);
            IoEventLoop loop = (IoEventLoop) loops.loop(0);
            NoDescriptorsLane lane = new NoDescriptorsLane(loop, budget);
            for (int i = 0; i < 64; i++) { // every slot held, as by probes in flight
                assertThat(budget.acquire(new InFlightBudget.Waiter() {
                    @Override
                    protected void granted() {}
                })).isTrue();
            }
            List<ProbeOutcome> answers = new CopyOnWriteArrayList<>();
            InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), 9);
            for (int i = 0; i < 200; i++) {
                Mono.<ProbeOutcome>create(sink -> new LaneProbe(lane, sink, target, TimeUnit.SECONDS.toNanos(1)).begin())
                        .subscribe(answers::add);
            }
            assertThat(budget.queued()).as("probes waiting for a slot").isEqualTo(200);

            loop.submit((Runnable) budget::release).sync(); // one probe in flight finishes, on the loop

            assertThat(lane.sockets).as("socket(2) calls after one slot came back").hasValue(1);
            assertThat(answers).singleElement().isInstanceOfSatisfying(ProbeOutcome.LocalFault.class,
                    fault -> assertThat(fault.code()).isEqualTo("EMFILE"));
            assertThat(budget.limit()).as("the fault cut the limit").isLessThan(64);
            assertThat(budget.queued()).as("the others still wait").isEqualTo(199);
        }
    }
}
