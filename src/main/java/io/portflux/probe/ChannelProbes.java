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
import reactor.core.Disposable;
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

    /**
     * Attempt is one probe: budget waiter, cancel hook, register and connect listener, and loop task
     * in one object, so that a probe allocates little beyond its channel.
     */
    private final class Attempt extends InFlightBudget.Waiter
            implements Runnable, Disposable, ChannelFutureListener {

        private final MonoSink<ProbeOutcome> sink;
        private final EventLoop loop;
        private final InetSocketAddress address;
        private final int timeoutMillis;
        private volatile boolean cancelled;
        private volatile Channel channel;
        private boolean connecting;
        private long startNanos;

        Attempt(MonoSink<ProbeOutcome> sink, EventLoop loop, InetSocketAddress address, int timeoutMillis) {
            this.sink = sink;
            this.loop = loop;
            this.address = address;
            this.timeoutMillis = timeoutMillis;
        }

        void begin() {
            sink.onCancel(this);
            if (budget.acquire(this)) {
                start();
            }
        }

        @Override
        protected void granted() {
            // The slot was freed by some other lane's probe; move onto our own loop to connect.
            if (loop.inEventLoop()) {
                start();
            } else {
                try {
                    loop.execute(this);
                } catch (RuntimeException rejected) {
                    budget.release();
                    sink.success(ConnectErrors.classify(rejected, Duration.ZERO));
                }
            }
        }

        @Override
        public void run() {
            start();
        }

        private void start() {
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
                fail(t, Duration.ZERO);
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
                    fail(future.cause(), Duration.ZERO);
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
                sink.success(outcome);
            } else {
                ch.close();
                fail(future.cause(), rtt);
            }
        }

        private void fail(Throwable cause, Duration rtt) {
            if (cancelled) {
                return; // the failure is our own close; nobody is listening and it says nothing
            }
            ProbeOutcome outcome = ConnectErrors.classify(cause, rtt);
            if (outcome instanceof ProbeOutcome.LocalFault) {
                budget.onLocalFault(inFlight.get());
            }
            sink.success(outcome);
        }

        @Override
        public void dispose() {
            cancelled = true;
            if (cancelWaiting()) {
                return; // still queued for a slot: holds nothing
            }
            Channel ch = channel;
            if (ch != null) {
                ch.close();
            }
        }
    }
}
