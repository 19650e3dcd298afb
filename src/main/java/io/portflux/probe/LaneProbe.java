package io.portflux.probe;

import io.portflux.scan.ProbeOutcome;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import reactor.core.publisher.MonoSink;

/**
 * LaneProbe is one connect probe on a bare socket of a {@link ProbeLane}; it takes a spare socket
 * when its lane has one, and otherwise waits for a budget slot like any {@link LoopProbe}.
 *
 * <p>The outcome comes straight from the connect's result code: 0 is open (or a self-connect), a
 * negative errno is classified by {@link ConnectErrors#ofErrno}, and a connect the lane cancelled
 * because it was overdue is a no-response. A refused probe's socket is reset for reuse. A probe
 * cancelled by its subscriber cancels its connect, closes its socket and says nothing. Apart from
 * {@link #dispose()}, {@link #granted()} and {@link #abort()}, all of it runs on the lane's loop
 * thread.
 */
final class LaneProbe extends LoopProbe {

    private final ProbeLane lane;
    private final InetSocketAddress target;
    private final long timeoutNanos;
    private final boolean ipv6;

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
        super(sink, lane.loop(), lane.budget(), lane.inFlight());
        this.lane = lane;
        this.target = target;
        this.timeoutNanos = timeoutNanos;
        this.ipv6 = target.getAddress() instanceof Inet6Address;
    }

    void begin() {
        sink.onCancel(this);
        if (loop.inEventLoop()) {
            int spare = lane.takeSpare(ipv6);
            if (spare >= 0) {
                start(spare); // the spare's budget slot becomes this probe's
                return;
            }
        }
        acquireAndStart();
    }

    @Override
    void start() {
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
                budget.release();
            }
            return;
        }
        try {
            fd = spare >= 0 ? spare : lane.socket(ipv6);
        } catch (RuntimeException failure) {
            socketFailed(failure);
            return;
        }
        startNanos = System.nanoTime();
        if (!lane.connect(this, fd, target)) {
            answer(LOOP_SHUT_DOWN);
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
        if (res == 0 || (res == -ProbeLane.ECANCELED && expired)) {
            outcome = settle(rtt);
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

    /**
     * The outcome of a connect that the transport reported connected, or that was cancelled as overdue,
     * from the socket itself ({@link ProbeSocket#connectState}): open only when it is established.
     */
    private ProbeOutcome settle(Duration rtt) {
        if (cancelled) {
            return new ProbeOutcome.NoResponse(rtt); // nobody listens: spare the syscalls
        }
        int state = ProbeSocket.connectState(fd);
        if (state == ProbeSocket.ESTABLISHED) {
            // Abortive close (RST, no TIME_WAIT) is set before the self-connect check reads the address.
            return ProbeSocket.lingerZeroAndCheckSelf(fd, target)
                    ? new ProbeOutcome.SelfConnect()
                    : new ProbeOutcome.Open(rtt);
        }
        if (state != ProbeSocket.NO_ANSWER) {
            return ConnectErrors.ofErrno(state, rtt);
        }
        // Reported connected, yet no peer and no error: not an answer to trust, so a no-response, retried.
        return new ProbeOutcome.NoResponse(rtt);
    }

    /** Whether the probe's connect is pending and not yet being cancelled. */
    boolean connectPending() {
        return connecting && !expired;
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

    @Override
    void abort() {
        if (loop.inEventLoop()) {
            cancelConnect();
        } else {
            try {
                loop.execute(this::cancelConnect);
            } catch (RejectedExecutionException shutDown) {
                // The loop is closing: its lane closes every pending probe.
            }
        }
    }

    private void cancelConnect() {
        if (connecting && !expired) {
            expired = true; // no second cancel from the sweep
            lane.cancelConnect(this);
        }
    }
}
