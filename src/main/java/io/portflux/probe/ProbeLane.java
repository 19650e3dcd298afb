package io.portflux.probe;

import io.netty.channel.IoEventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * ProbeLane is one probe event loop's own bare sockets, without a Netty channel per probe: the
 * pending probes, the spare sockets, and the timeout sweep. Subclasses connect on a transport:
 * {@link RingLane} on io_uring, {@link EpollLane} on epoll.
 *
 * <p>Each pending probe occupies a numbered slot. A refused probe's socket is reset to unconnected
 * (a connect to {@code AF_UNSPEC}) and kept as a spare for the next probe, because socket(2) and
 * close(2) cost more kernel time than the probe itself. A spare keeps its probe's budget slot, so the
 * budget bounds every probe socket open, spare or not; spares are given up when another probe waits
 * for a slot or a local fault has cut the budget, and closed when the lane goes idle. Connect timeouts are enforced by one sweep every
 * {@link #SWEEP_MILLIS} ms while probes are pending, so a timeout holds to within that granularity.
 * Everything but {@link #loop()}, {@link #budget()} and {@link #socketsOpened()} runs on the loop's
 * own thread.
 */
abstract class ProbeLane {

    static final int ECONNREFUSED = 111;
    static final int ECANCELED = 125;
    static final long SWEEP_MILLIS = 5;
    /** Most refused sockets kept per address family for the next probes, while the lane is busy. */
    static final int SPARE_SOCKETS = 4096;
    private static final int INITIAL_SLOTS = 1024;

    private final IoEventLoop loop;
    private final InFlightBudget budget;
    private final AtomicInteger inFlight;

    private LaneProbe[] slots = new LaneProbe[INITIAL_SLOTS];
    private int[] freeSlots = new int[INITIAL_SLOTS];
    private int freeCount;
    private int highWater;
    private int pending;
    private final int[][] spares = {new int[SPARE_SOCKETS], new int[SPARE_SOCKETS]};
    private final int[] spareCount = new int[2];
    private ScheduledFuture<?> sweeper;
    private long opened;
    private boolean closed;

    ProbeLane(IoEventLoop loop, InFlightBudget budget, AtomicInteger inFlight) {
        this.loop = loop;
        this.budget = budget;
        this.inFlight = inFlight;
    }

    // ---- what a transport does

    /** Opens a new non-blocking socket of the family and returns its descriptor; throws with the errno. */
    abstract int openSocket(boolean ipv6);

    /**
     * Starts the connect of {@code probe}'s socket {@code fd} (already bound to a slot) to
     * {@code target}. Returns false when it could not be started; the socket is then closed, its
     * budget slot given back, and the probe's slot freed. The answer arrives as
     * {@link LaneProbe#completed(int)}.
     */
    abstract boolean startConnect(LaneProbe probe, int fd, InetSocketAddress target);

    /** Stops a pending connect (timed out or no longer wanted); it still completes, with some result. */
    abstract void cancelConnect(LaneProbe probe);

    /**
     * Resets a refused socket for reuse and hands it to {@link #spare}, now or (returning true) when
     * {@link LaneProbe#completed(int)} reports the reset. Returns false when it is done with the socket.
     */
    abstract boolean reset(LaneProbe probe, int fd, boolean ipv6);

    /** Closes a probe socket; its budget slot is given back (through {@link #released()}) once it is. */
    abstract void close(int fd);

    /**
     * The lane is shutting down with {@code probe}'s connect pending (it still holds its slot): stop the
     * connect if the transport needs to, so that nothing of it is left running. Nothing by default.
     */
    void stopPending(LaneProbe probe) {}

    // ---- shared

    IoEventLoop loop() {
        return loop;
    }

    InFlightBudget budget() {
        return budget;
    }

    /** Probe sockets open now across the prober's lanes, spares included. */
    final AtomicInteger inFlight() {
        return inFlight;
    }

    final boolean closed() {
        return closed;
    }

    /** Sockets this lane has opened with socket(2) so far; read on the loop, so callable from anywhere. */
    final long socketsOpened() {
        return loop.inEventLoop() ? opened : loop.submit(() -> opened).syncUninterruptibly().getNow();
    }

    /**
     * A spare socket of the family for a probe on this loop, or -1. A spare holds a budget slot, which
     * becomes the probe's own.
     */
    final int takeSpare(boolean ipv6) {
        int family = ipv6 ? 1 : 0;
        return spareCount[family] > 0 ? spares[family][--spareCount[family]] : -1;
    }

    /**
     * A socket for a probe that holds a budget slot already: a spare one when the lane has one (whose
     * slot is then given back), else a new one. A failing socket(2) throws Netty's
     * {@code ChannelException} with the errno.
     */
    final int socket(boolean ipv6) {
        int fd = takeSpare(ipv6);
        if (fd >= 0) {
            budget.release();
            return fd;
        }
        fd = openSocket(ipv6);
        opened++;
        inFlight.incrementAndGet();
        return fd;
    }

    /** Binds {@code probe} to a slot and starts its connect; false when it could not start. */
    final boolean connect(LaneProbe probe, int fd, InetSocketAddress target) {
        if (closed) {
            close(fd);
            return false;
        }
        bind(probe);
        if (!startConnect(probe, fd, target)) {
            return false;
        }
        if (sweeper == null) {
            sweeper = loop.scheduleAtFixedRate(this::sweep, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
        }
        return true;
    }

    /** Whether a refused socket may become a spare: not while shutting down or when enough are kept. */
    final boolean wantsSpare(boolean ipv6) {
        return !closed && spareCount[ipv6 ? 1 : 0] < SPARE_SOCKETS;
    }

    /**
     * Keeps a reset socket as a spare, with its probe's budget slot. Closes it instead (which gives the
     * slot back) when the reset failed, enough spares are kept, or another probe needs the slot.
     */
    final void spare(int fd, boolean ipv6, boolean resetOk) {
        if (!resetOk || !wantsSpare(ipv6) || budget.contended()) {
            close(fd);
            return;
        }
        // The refused connection may have left a soft error (an ICMP error that came while the socket
        // was locked); SO_ERROR would report it for the socket's next connect, which is not its answer.
        ProbeSocket.clearPendingError(fd);
        int family = ipv6 ? 1 : 0;
        spares[family][spareCount[family]++] = fd;
    }

    /** A probe socket is closed: one socket fewer open, one budget slot back. */
    final void released() {
        inFlight.decrementAndGet();
        budget.release();
    }

    /** Gives {@code probe} a slot; its number is stored in the probe. */
    final void bind(LaneProbe probe) {
        int slot;
        if (freeCount > 0) {
            slot = freeSlots[--freeCount];
        } else {
            slot = highWater++;
            if (slot == slots.length) {
                slots = Arrays.copyOf(slots, slots.length * 2);
                freeSlots = Arrays.copyOf(freeSlots, freeSlots.length * 2);
            }
        }
        slots[slot] = probe;
        probe.slot = slot;
        pending++;
    }

    /** Whether {@code probe} holds its slot now: its connect or reset is pending and not yet handled. */
    final boolean holds(LaneProbe probe) {
        return probe.slot >= 0 && probe.slot < highWater && slots[probe.slot] == probe;
    }

    /** Frees {@code slot} and returns the probe that held it, or null when it was free already. */
    final @Nullable LaneProbe unbind(int slot) {
        LaneProbe probe = slots[slot];
        if (probe != null) {
            slots[slot] = null;
            freeSlots[freeCount++] = slot;
            pending--;
        }
        return probe;
    }

    /** The loop is shutting down: every pending probe is closed and answered, and spares are closed. */
    final void shutDown() {
        if (closed) {
            return;
        }
        closed = true;
        stopSweeping();
        closeSpares();
        for (int slot = 0; slot < highWater; slot++) {
            LaneProbe probe = slots[slot];
            if (probe != null) {
                stopPending(probe);
                unbind(slot);
                probe.abandoned(LoopProbe.LOOP_SHUT_DOWN);
            }
        }
    }

    private void sweep() {
        if (pending == 0) {
            closeSpares();
            stopSweeping();
            return;
        }
        if (budget.contended()) {
            // Probes wait for a slot, or a local fault (EMFILE, ...) cut the limit: idle spares hold
            // descriptors that other lanes' probes need.
            closeSpares();
        }
        long now = System.nanoTime();
        for (int slot = 0; slot < highWater; slot++) {
            LaneProbe probe = slots[slot];
            if (probe != null) {
                probe.expireIfDue(now);
            }
        }
    }

    private void closeSpares() {
        for (int family = 0; family < 2; family++) {
            while (spareCount[family] > 0) {
                close(spares[family][--spareCount[family]]);
            }
        }
    }

    private void stopSweeping() {
        if (sweeper != null) {
            sweeper.cancel(false);
            sweeper = null;
        }
    }
}
