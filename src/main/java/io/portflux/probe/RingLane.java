package io.portflux.probe;

import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.unix.Buffer;
import io.netty.channel.uring.IoUringIoEvent;
import io.netty.channel.uring.IoUringIoHandle;
import io.netty.channel.uring.IoUringIoOps;
import io.netty.util.concurrent.ScheduledFuture;
import io.portflux.scan.InFlightBudget;
import io.portflux.scan.ProbeOutcome;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * RingLane drives the connect probes of one io_uring event loop directly on its ring, with no Netty
 * channel per probe: a probe is a socket, a ring {@code CONNECT} and the socket's close or reuse.
 *
 * <p>A refused probe's socket is not closed but reset (a ring {@code CONNECT} to {@code AF_UNSPEC}) and
 * kept as a spare for the next probe, because socket(2) and close(2) cost more kernel time than the
 * probe itself. A spare keeps its probe's budget slot, so the budget bounds every probe socket open,
 * spare or not; a lane gives spares up when another probe waits for a slot, and closes them all when
 * it goes idle.
 *
 * <p>The lane is a single {@link IoUringIoHandle} registered once with its loop. Each pending connect
 * occupies a numbered slot; the slot number travels in the submission's user data and brings the
 * completion back to its {@link RingProbe}. Each slot owns 32 bytes of native memory for the target's
 * {@code sockaddr}. Connect timeouts are enforced by one sweep every {@link #SWEEP_MILLIS} ms while
 * probes are pending, which asks the ring to cancel each overdue connect, so a timeout is honoured
 * to within that granularity. Everything but {@link #loop()} runs on the loop's own thread.
 */
final class RingLane implements IoUringIoHandle {

    // io_uring opcodes from the kernel's stable ABI (include/uapi/linux/io_uring.h).
    static final byte OP_ASYNC_CANCEL = 14;
    static final byte OP_CONNECT = 16;
    static final byte OP_CLOSE = 19;
    static final int ECANCELED = 125;
    /** What {@link IoRegistration#submit} returns when the ring no longer takes work. */
    private static final long NOT_SUBMITTED = 0;

    static final long SWEEP_MILLIS = 5;
    /** Most refused sockets kept per address family for the next probes, while the lane is busy. */
    static final int SPARE_SOCKETS = 4096;
    private static final int SOCKADDR_BYTES = 32;
    private static final int CHUNK_SLOTS = 1024;
    private static final short AF_INET = 2;
    private static final short AF_INET6 = 10;

    private final IoEventLoop loop;
    private final InFlightBudget budget;
    private final AtomicInteger inFlight;
    private volatile IoRegistration registration;

    private RingProbe[] slots = new RingProbe[CHUNK_SLOTS];
    private int[] freeSlots = new int[CHUNK_SLOTS];
    private int freeCount;
    private int highWater;
    private int pending;
    private final List<ByteBuffer> sockaddrChunks = new ArrayList<>();
    /** A zeroed sockaddr: family AF_UNSPEC, the "disconnect" address. */
    private final ByteBuffer unspec = Buffer.allocateDirectWithNativeOrder(16).putLong(0, 0L).putLong(8, 0L);
    private final long unspecAddress = Buffer.memoryAddress(unspec);
    private long[] chunkAddresses = new long[0];
    private final int[][] spares = {new int[SPARE_SOCKETS], new int[SPARE_SOCKETS]};
    private final int[] spareCount = new int[2];
    private ScheduledFuture<?> sweeper;
    private long opened;
    private boolean closed;

    private RingLane(IoEventLoop loop, InFlightBudget budget, AtomicInteger inFlight) {
        this.loop = loop;
        this.budget = budget;
        this.inFlight = inFlight;
    }

    /** Registers a lane with {@code loop}, waiting for the registration to complete. */
    static RingLane register(IoEventLoop loop, InFlightBudget budget, AtomicInteger inFlight) {
        RingLane lane = new RingLane(loop, budget, inFlight);
        lane.registration = loop.register(lane).syncUninterruptibly().getNow();
        return lane;
    }

    /** Sockets this lane has opened with socket(2) so far; read on the loop, so callable from anywhere. */
    long socketsOpened() {
        return loop.inEventLoop() ? opened : loop.submit(() -> opened).syncUninterruptibly().getNow();
    }

    IoEventLoop loop() {
        return loop;
    }

    InFlightBudget budget() {
        return budget;
    }

    /**
     * A spare socket of the family for a probe on this loop, or -1. A spare holds a budget slot, which
     * becomes the probe's own.
     */
    int takeSpare(boolean ipv6) {
        int family = ipv6 ? 1 : 0;
        return spareCount[family] > 0 ? spares[family][--spareCount[family]] : -1;
    }

    /**
     * A socket for a probe that holds a budget slot already: a spare one when the lane has one (whose
     * slot is then given back), else a new one. A failing socket(2) throws Netty's
     * {@code ChannelException} with the errno.
     */
    int socket(boolean ipv6) {
        int fd = takeSpare(ipv6);
        if (fd >= 0) {
            budget.release();
            return fd;
        }
        fd = ProbeSocket.open(ipv6);
        opened++;
        inFlight.incrementAndGet();
        return fd;
    }

    /**
     * Starts to make the socket of a refused probe reusable: its failed connect left it closed at the
     * TCP level, and a connect to {@code AF_UNSPEC} resets it to unconnected, so that the next probe
     * can connect it again instead of paying for a new socket. Returns false when the lane keeps
     * enough spares already; the caller then closes the socket.
     */
    boolean reset(RingProbe probe, int fd, boolean ipv6) {
        if (closed || spareCount[ipv6 ? 1 : 0] == SPARE_SOCKETS) {
            return false;
        }
        int slot = bind(probe);
        long id = registration.submit(new IoUringIoOps(OP_CONNECT, (byte) 0, (short) 0, fd, 16L,
                unspecAddress, 0, 0, (long) slot, (short) 0, (short) 0, 0, 0L));
        if (id == NOT_SUBMITTED) {
            unbind(slot);
            return false;
        }
        return true;
    }

    /**
     * Keeps a reset socket as a spare, with its probe's budget slot. Closes it instead (which gives the
     * slot back) when the reset failed, enough spares are kept, or another probe needs the slot.
     */
    void spare(int fd, boolean ipv6, boolean resetOk) {
        int family = ipv6 ? 1 : 0;
        if (!resetOk || closed || spareCount[family] == SPARE_SOCKETS || budget.contended()) {
            close(fd);
            return;
        }
        spares[family][spareCount[family]++] = fd;
    }

    /**
     * Submits the connect of {@code probe}'s socket {@code fd} to {@code target}. Returns the
     * connect's ring id, or 0 when the ring takes no more work; the socket is then closed and its
     * budget slot given back, and the probe owns nothing.
     */
    long connect(RingProbe probe, int fd, InetSocketAddress target) {
        if (closed) {
            close(fd);
            return NOT_SUBMITTED;
        }
        int slot = bind(probe);
        int length = writeSockaddr(slot, target);
        long id = registration.submit(new IoUringIoOps(OP_CONNECT, (byte) 0, (short) 0, fd, length,
                sockaddrAddress(slot), 0, 0, (long) slot, (short) 0, (short) 0, 0, 0L));
        if (id == NOT_SUBMITTED) {
            unbind(slot);
            close(fd);
            return NOT_SUBMITTED;
        }
        if (sweeper == null) {
            sweeper = loop.scheduleAtFixedRate(this::sweep, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
        }
        return id;
    }

    /** Asks the ring to cancel the pending operation {@code id}; its completion still arrives. */
    void cancel(long id) {
        registration.submit(new IoUringIoOps(OP_ASYNC_CANCEL, (byte) 0, (short) 0, -1, 0L, id, 0, 0, 0L,
                (short) 0, (short) 0, 0, 0L));
    }

    /** Closes a probe's socket through the ring; its budget slot is given back when the close is done. */
    void close(int fd) {
        long id = closed ? NOT_SUBMITTED : registration.submit(new IoUringIoOps(OP_CLOSE, (byte) 0, (short) 0, fd,
                0L, 0L, 0, 0, 0L, (short) 0, (short) 0, 0, 0L));
        if (id == NOT_SUBMITTED) {
            ProbeSocket.closeNow(fd);
            released();
        }
    }

    @Override
    public void handle(IoRegistration ignored, IoEvent event) {
        IoUringIoEvent completion = (IoUringIoEvent) event;
        switch (completion.opcode()) {
            case OP_CONNECT -> {
                RingProbe probe = unbind((int) completion.userData());
                if (probe != null) {
                    probe.completed(completion.res());
                }
            }
            case OP_CLOSE -> released();
            default -> {
                // ASYNC_CANCEL: the connect it aimed at reports its own completion.
            }
        }
    }

    /** Called by the loop as it shuts down: every pending probe is closed and answered. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        stopSweeping();
        closeSpares();
        for (int slot = 0; slot < highWater; slot++) {
            RingProbe probe = slots[slot];
            if (probe != null) {
                unbind(slot);
                probe.abandoned(new ProbeOutcome.LocalFault("SHUTDOWN", "the probe event loop shut down"));
            }
        }
        IoRegistration r = registration;
        if (r != null) {
            r.cancel();
        }
        sockaddrChunks.forEach(Buffer::free);
        sockaddrChunks.clear();
        Buffer.free(unspec);
    }

    private void released() {
        inFlight.decrementAndGet();
        budget.release();
    }

    private void sweep() {
        if (pending == 0) {
            closeSpares();
            stopSweeping();
            return;
        }
        long now = System.nanoTime();
        for (int slot = 0; slot < highWater; slot++) {
            RingProbe probe = slots[slot];
            if (probe != null) {
                probe.expireIfDue(now);
            }
        }
    }

    /** Closes the spare sockets: the lane has gone idle, or is shutting down. */
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

    private int bind(RingProbe probe) {
        int slot;
        if (freeCount > 0) {
            slot = freeSlots[--freeCount];
        } else {
            slot = highWater++;
            if (slot == slots.length) {
                slots = Arrays.copyOf(slots, slots.length * 2);
                freeSlots = Arrays.copyOf(freeSlots, freeSlots.length * 2);
            }
            if (slot / CHUNK_SLOTS == sockaddrChunks.size()) {
                ByteBuffer chunk = Buffer.allocateDirectWithNativeOrder(CHUNK_SLOTS * SOCKADDR_BYTES);
                sockaddrChunks.add(chunk);
                chunkAddresses = Arrays.copyOf(chunkAddresses, sockaddrChunks.size());
                chunkAddresses[chunkAddresses.length - 1] = Buffer.memoryAddress(chunk);
            }
        }
        slots[slot] = probe;
        pending++;
        return slot;
    }

    private RingProbe unbind(int slot) {
        RingProbe probe = slots[slot];
        if (probe != null) {
            slots[slot] = null;
            freeSlots[freeCount++] = slot;
            pending--;
        }
        return probe;
    }

    private long sockaddrAddress(int slot) {
        return chunkAddresses[slot / CHUNK_SLOTS] + (long) (slot % CHUNK_SLOTS) * SOCKADDR_BYTES;
    }

    /** Writes {@code target} as a sockaddr_in or sockaddr_in6 into the slot's memory; returns its length. */
    private int writeSockaddr(int slot, InetSocketAddress target) {
        ByteBuffer chunk = sockaddrChunks.get(slot / CHUNK_SLOTS);
        int at = (slot % CHUNK_SLOTS) * SOCKADDR_BYTES;
        byte[] ip = target.getAddress().getAddress();
        int port = target.getPort();
        chunk.put(at + 2, (byte) (port >>> 8)).put(at + 3, (byte) port); // network byte order
        if (ip.length == 4) {
            chunk.putShort(at, AF_INET).put(at + 4, ip).putLong(at + 8, 0L);
            return 16;
        }
        int scope = ((Inet6Address) target.getAddress()).getScopeId();
        chunk.putShort(at, AF_INET6).putInt(at + 4, 0).put(at + 8, ip).putInt(at + 24, scope);
        return 28;
    }
}
