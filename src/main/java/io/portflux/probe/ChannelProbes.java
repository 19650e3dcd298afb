package io.portflux.probe;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.portflux.scan.ProbeOutcome;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.MonoSink;

/**
 * ChannelProbes makes connect probes on raw Netty channels, one per probe: the path for NIO loops,
 * where no bare-socket {@link ProbeLane} exists. Each channel connects with the probe's timeout,
 * closes abortively (SO_LINGER 0) on success and holds one budget slot until it is closed. The timeout
 * is the probe's own rather than Netty's, so that an overdue connect is first asked whether it has in
 * fact completed ({@link NioProbeChannel#finishConnectNow}).
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
        private boolean settled;
        private ScheduledFuture<?> timeout;
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
                socketFailed(t);
                return;
            }
            inFlight.incrementAndGet();
            ch.closeFuture().addListener(onClosed);
            ch.config().setAutoRead(false);
            ch.config().setConnectTimeoutMillis(0); // the probe's own timeout applies: see overdue()
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
                if (!settled) {
                    timeout = loop.schedule(this::overdue, timeoutMillis, TimeUnit.MILLISECONDS);
                }
                return;
            }
            if (settled) {
                return; // answered by overdue(), whose close failed this connect
            }
            settled = true;
            if (timeout != null) {
                timeout.cancel(false);
            }
            Duration rtt = Duration.ofNanos(System.nanoTime() - startNanos);
            if (future.isSuccess()) {
                answer(closeConnected(ch, rtt));
            } else {
                // After a cancel, the failure is our own close: answer() then says nothing.
                ch.close();
                answer(ConnectErrors.classify(future.cause(), rtt));
            }
        }

        /**
         * The timeout has come: the connect counts as unanswered only if the kernel says it still is,
         * since the loop may simply not have read its answer yet.
         */
        private void overdue() {
            if (settled) {
                return;
            }
            settled = true;
            Channel ch = channel;
            Duration rtt = Duration.ofNanos(System.nanoTime() - startNanos);
            ProbeOutcome outcome;
            try {
                outcome = ((NioProbeChannel) ch).finishConnectNow()
                        ? closeConnected(ch, rtt)
                        : new ProbeOutcome.NoResponse(rtt);
            } catch (IOException failed) {
                outcome = ConnectErrors.classify(failed, rtt);
            }
            ch.close();
            answer(outcome);
        }

        /** Closes a connected channel abortively and tells whether it was open or a self-connect. */
        private ProbeOutcome closeConnected(Channel ch, Duration rtt) {
            ProbeOutcome outcome = ConnectProber.isSelfConnect(ch.localAddress(), address)
                    ? new ProbeOutcome.SelfConnect()
                    : new ProbeOutcome.Open(rtt);
            // Abortive close: RST instead of FIN, so neither side keeps a TIME_WAIT.
            ch.config().setOption(ChannelOption.SO_LINGER, 0);
            ch.close();
            return outcome;
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
