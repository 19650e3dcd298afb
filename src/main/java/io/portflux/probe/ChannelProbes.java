package io.portflux.probe;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.portflux.scan.InFlightBudget;
import io.portflux.scan.ProbeOutcome;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.MonoSink;

/**
 * ChannelProbes makes connect probes on raw Netty channels, one per probe: the path for NIO loops,
 * where no bare-socket {@link ProbeLane} exists. Each channel connects with the probe's timeout,
 * closes abortively (SO_LINGER 0) on success and holds one budget slot until it is closed.
 */
final class ChannelProbes {

    private final ProbeLoops loops;
    private final InFlightBudget budget;
    private final AtomicInteger inFlight;
    /** Shared by all channels, so a probe allocates no extra listener for its close. */
    private final ChannelFutureListener onClosed;

    ChannelProbes(ProbeLoops loops, InFlightBudget budget, AtomicInteger inFlight) {
        this.loops = loops;
        this.budget = budget;
        this.inFlight = inFlight;
        this.onClosed = closed -> {
            inFlight.decrementAndGet();
            budget.release();
        };
    }

    /** Starts one probe of {@code address} on {@code loop}; its outcome goes to {@code sink}. */
    void start(MonoSink<ProbeOutcome> sink, EventLoop loop, InetSocketAddress address, int timeoutMillis) {
        new Attempt(sink, loop, address, timeoutMillis).begin();
    }

    /** Attempt is one probe on its own channel; it is also the register and connect listener. */
    private final class Attempt extends LoopProbe implements ChannelFutureListener {

        private final InetSocketAddress address;
        private final int timeoutMillis;
        private volatile Channel channel;
        private boolean connecting;
        private long startNanos;

        Attempt(MonoSink<ProbeOutcome> sink, EventLoop loop, InetSocketAddress address, int timeoutMillis) {
            super(sink, loop, ChannelProbes.this.budget, ChannelProbes.this.inFlight);
            this.address = address;
            this.timeoutMillis = timeoutMillis;
        }

        void begin() {
            sink.onCancel(this);
            acquireAndStart();
        }

        @Override
        void start() {
            if (cancelled) {
                budget.release();
                return;
            }
            Channel ch;
            try {
                ch = loops.newSocketChannel();
            } catch (Throwable t) {
                // socket(2) failed (EMFILE, ENFILE, ...): nothing was sent to the target.
                budget.release();
                answer(ConnectErrors.classify(t, Duration.ZERO));
                return;
            }
            inFlight.incrementAndGet();
            ch.closeFuture().addListener(onClosed);
            ch.config().setAutoRead(false);
            ch.config().setConnectTimeoutMillis(timeoutMillis);
            channel = ch;
            if (cancelled) {
                ch.close();
                return;
            }
            loop.register(ch).addListener(this);
        }

        @Override
        public void operationComplete(ChannelFuture future) {
            Channel ch = future.channel();
            if (!connecting) {
                if (!future.isSuccess()) {
                    ch.close();
                    answer(ConnectErrors.classify(future.cause(), Duration.ZERO));
                    return;
                }
                connecting = true;
                startNanos = System.nanoTime();
                ch.connect(address).addListener(this);
                return;
            }
            Duration rtt = Duration.ofNanos(System.nanoTime() - startNanos);
            if (future.isSuccess()) {
                ProbeOutcome outcome = ConnectProber.isSelfConnect(ch.localAddress(), address)
                        ? new ProbeOutcome.SelfConnect()
                        : new ProbeOutcome.Open(rtt);
                // Abortive close: RST instead of FIN, so neither side keeps a TIME_WAIT.
                ch.config().setOption(ChannelOption.SO_LINGER, 0);
                ch.close();
                answer(outcome);
            } else {
                // After a cancel, the failure is our own close: answer() then says nothing.
                ch.close();
                answer(ConnectErrors.classify(future.cause(), rtt));
            }
        }

        @Override
        void abort() {
            Channel ch = channel;
            if (ch != null) {
                ch.close();
            }
        }
    }
}
