package io.portflux.probe;

import io.portflux.scan.InFlightBudget;
import io.portflux.scan.ProbeOutcome;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import reactor.core.Disposable;
import reactor.core.publisher.MonoSink;

/**
 * RingProbe is one connect probe on a {@link RingLane}: budget waiter, loop task and cancel hook in
 * one object, so that a probe allocates little beyond its socket.
 *
 * <p>The outcome comes straight from the connect's completion code: 0 is open (or a self-connect),
 * a negative errno is classified by {@link ConnectErrors#ofErrno}, and a connect cancelled by the
 * lane's timeout sweep is a no-response. After a refusal the probe stays on its slot while the lane
 * resets its socket for reuse. A probe cancelled by its subscriber cancels its connect,
 * closes its socket and says nothing. Apart from {@link #dispose()} and {@link #granted()}, all of it
 * runs on the lane's loop thread.
 */
final class RingProbe extends InFlightBudget.Waiter implements Runnable, Disposable {

    private final RingLane lane;
    private final MonoSink<ProbeOutcome> sink;
    private final InetSocketAddress target;
    private final long timeoutNanos;
    private volatile boolean cancelled;

    private final boolean ipv6;
    private int fd = -1;
    private long connectId;
    private long startNanos;
    private boolean connecting;
    private boolean expired;
    private boolean resetting;

    RingProbe(RingLane lane, MonoSink<ProbeOutcome> sink, InetSocketAddress target, long timeoutNanos) {
        this.lane = lane;
        this.sink = sink;
        this.target = target;
        this.timeoutNanos = timeoutNanos;
        this.ipv6 = target.getAddress() instanceof Inet6Address;
    }

    void begin() {
        sink.onCancel(this);
        if (lane.loop().inEventLoop()) {
            int spare = lane.takeSpare(ipv6);
            if (spare >= 0) {
                start(spare); // the spare's budget slot becomes this probe's
                return;
            }
        }
        if (lane.budget().acquire(this)) {
            granted();
        }
    }

    @Override
    protected void granted() {
        if (lane.loop().inEventLoop()) {
            start(-1);
            return;
        }
        try {
            lane.loop().execute(this);
        } catch (RejectedExecutionException shutDown) {
            lane.budget().release();
            answer(new ProbeOutcome.LocalFault("SHUTDOWN", "the probe event loop shut down"));
        }
    }

    @Override
    public void run() {
        start(-1);
    }

    /** Connects on {@code spare}, or on a socket of the lane's when it is -1; a budget slot is held. */
    private void start(int spare) {
        if (cancelled) {
            if (spare >= 0) {
                lane.close(spare);
            } else {
                lane.budget().release();
            }
            return;
        }
        try {
            fd = spare >= 0 ? spare : lane.socket(ipv6);
        } catch (RuntimeException socketFailed) {
            // socket(2) failed (EMFILE, ENFILE, ...): nothing was sent to the target.
            lane.budget().release();
            answer(ConnectErrors.classify(socketFailed, Duration.ZERO));
            return;
        }
        startNanos = System.nanoTime();
        connectId = lane.connect(this, fd, target);
        if (connectId == 0) {
            answer(new ProbeOutcome.LocalFault("SHUTDOWN", "the probe event loop shut down"));
            return;
        }
        connecting = true;
    }

    /** The ring's answer to the probe's connect, or to its socket's reset: 0 or a negative errno. */
    void completed(int res) {
        if (resetting) {
            lane.spare(fd, ipv6, res == 0);
            return;
        }
        connecting = false;
        Duration rtt = Duration.ofNanos(System.nanoTime() - startNanos);
        ProbeOutcome outcome;
        if (res == 0) {
            // Abortive close (RST, no TIME_WAIT) is set before the self-connect check reads the address.
            outcome = ProbeSocket.lingerZeroAndCheckSelf(fd, target)
                    ? new ProbeOutcome.SelfConnect()
                    : new ProbeOutcome.Open(rtt);
        } else if (res == -RingLane.ECANCELED && expired) {
            outcome = new ProbeOutcome.NoResponse(rtt);
        } else {
            outcome = ConnectErrors.ofErrno(-res, rtt);
        }
        if (outcome instanceof ProbeOutcome.Refused && lane.reset(this, fd, ipv6)) {
            resetting = true;
        } else {
            lane.close(fd);
        }
        answer(outcome);
    }

    /** Cancels the connect once it is overdue; its completion then reports the no-response. */
    void expireIfDue(long nowNanos) {
        if (connecting && !expired && nowNanos - startNanos >= timeoutNanos) {
            expired = true;
            lane.cancel(connectId);
        }
    }

    /** The lane shut down with this probe pending: close the socket and, unless it answered, say why. */
    void abandoned(ProbeOutcome outcome) {
        connecting = false;
        lane.close(fd);
        if (!resetting) {
            answer(outcome);
        }
    }

    private void answer(ProbeOutcome outcome) {
        if (cancelled) {
            return; // nobody is listening any more
        }
        if (outcome instanceof ProbeOutcome.LocalFault) {
            lane.budget().onLocalFault();
        }
        sink.success(outcome);
    }

    @Override
    public void dispose() {
        cancelled = true;
        if (cancelWaiting()) {
            return; // still queued for a budget slot: holds nothing
        }
        if (lane.loop().inEventLoop()) {
            abort();
        } else {
            try {
                lane.loop().execute(this::abort);
            } catch (RejectedExecutionException shutDown) {
                // The loop is closing: its lane closes every pending probe.
            }
        }
    }

    private void abort() {
        if (connecting && !expired) {
            expired = true; // no second cancel from the sweep
            lane.cancel(connectId);
        }
    }
}
