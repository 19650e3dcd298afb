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
 * LaneProbe is one connect probe on a {@link ProbeLane}: budget waiter, loop task and cancel hook in
 * one object, so that a probe allocates little beyond its socket.
 *
 * <p>The outcome comes straight from the connect's result code: 0 is open (or a self-connect), a
 * negative errno is classified by {@link ConnectErrors#ofErrno}, and a connect the lane cancelled
 * because it was overdue is a no-response. A refused probe's socket is reset for reuse. A probe
 * cancelled by its subscriber cancels its connect, closes its socket and says nothing. Apart from
 * {@link #dispose()} and {@link #granted()}, all of it runs on the lane's loop thread.
 */
final class LaneProbe extends InFlightBudget.Waiter implements Runnable, Disposable {

    private final ProbeLane lane;
    private final MonoSink<ProbeOutcome> sink;
    private final InetSocketAddress target;
    private final long timeoutNanos;
    private final boolean ipv6;
    private volatile boolean cancelled;

    /** The lane's slot for this probe while its connect or reset is pending; set by the lane. */
    int slot = -1;
    /** The transport's id of the pending connect (the ring's user data), for cancelling it; set by the lane. */
    long connectId;
    private int fd = -1;
    private long startNanos;
    private boolean connecting;
    private boolean expired;
    private boolean resetting;

    LaneProbe(ProbeLane lane, MonoSink<ProbeOutcome> sink, InetSocketAddress target, long timeoutNanos) {
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

    /** The probe's socket, or -1 before it has one. */
    int fd() {
        return fd;
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
        if (!lane.connect(this, fd, target)) {
            answer(new ProbeOutcome.LocalFault("SHUTDOWN", "the probe event loop shut down"));
            return;
        }
        connecting = true;
    }

    /**
     * The result of the probe's connect, or of its socket's reset: 0 or a negative errno. The lane has
     * freed the probe's slot.
     */
    void completed(int res) {
        if (resetting) {
            resetting = false;
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
        } else if (res == -ProbeLane.ECANCELED && expired) {
            outcome = new ProbeOutcome.NoResponse(rtt);
        } else {
            outcome = ConnectErrors.ofErrno(-res, rtt);
        }
        if (outcome instanceof ProbeOutcome.Refused) {
            resetting = lane.reset(this, fd, ipv6);
        } else {
            lane.close(fd);
        }
        answer(outcome);
    }

    /** Cancels the connect once it is overdue; its completion then reports the no-response. */
    void expireIfDue(long nowNanos) {
        if (connecting && !expired && nowNanos - startNanos >= timeoutNanos) {
            expired = true;
            lane.cancelConnect(this);
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
            lane.budget().onLocalFault(lane.socketsOpen());
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
            lane.cancelConnect(this);
        }
    }
}
