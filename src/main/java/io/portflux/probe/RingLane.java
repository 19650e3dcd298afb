package io.portflux.probe;

import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.unix.Buffer;
import io.netty.channel.uring.IoUringIoEvent;
import io.netty.channel.uring.IoUringIoHandle;
import io.netty.channel.uring.IoUringIoOps;
import io.netty.util.concurrent.Future;
import io.netty.util.internal.CleanableDirectBuffer;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * RingLane connects probes straight on an io_uring loop's ring: a probe is a ring {@code CONNECT}
 * and then a ring {@code CLOSE}, or, after a refusal, a ring {@code CONNECT} to {@code AF_UNSPEC} that
 * resets the socket for reuse. No syscall is made per probe but the rare socket(2).
 *
 * <p>The lane is a single {@link IoUringIoHandle} registered once with its loop. The probe's slot
 * number travels in the submission's user data and brings the completion back to its
 * {@link LaneProbe}; each slot owns 32 bytes of native memory for the target's {@code sockaddr}. An
 * overdue connect is cancelled with a ring {@code ASYNC_CANCEL} and completes with
 * {@code -ECANCELED}.
 *
 * <p>Two rules keep the ring from touching what is no longer ours:
 * <ul>
 *   <li><b>A cancel never outlives its connect.</b> A cancel names its connect by the user data, which
 *       is the slot number, and a slot is reused as soon as its completion is handled. So a cancel is
 *       only ever submitted while its probe still holds its slot (asserted in {@link #cancelConnect});
 *       it then reaches the ring ahead of any later connect on the same slot, because submissions go
 *       in order.
 *   <li><b>Native memory and descriptors outlive the ring.</b> When the loop shuts down, Netty may still
 *       submit the CONNECTs queued in that loop turn, which point at the slots' sockaddr memory and at
 *       probe descriptors. So {@link #close()} answers the pending probes but frees the memory and
 *       closes the descriptors only once the loop has terminated, and its ring with it. It cancels the
 *       pending connects instead, so that the ring, which waits for its outstanding operations, can close.
 * </ul>
 */
final class RingLane extends ProbeLane implements IoUringIoHandle {

    // io_uring opcodes from the kernel's stable ABI (include/uapi/linux/io_uring.h).
    static final byte OP_ASYNC_CANCEL = 14;
    static final byte OP_CONNECT = 16;
    static final byte OP_CLOSE = 19;
    /** What {@link IoRegistration#submit} returns when the ring no longer takes work. */
    private static final long NOT_SUBMITTED = 0;

    private static final int SOCKADDR_BYTES = 32;
    private static final int CHUNK_SLOTS = 1024;
    private static final short AF_INET = 2;
    private static final short AF_INET6 = 10;

    private volatile IoRegistration registration;
    // Netty's cleanable buffers: Buffer.free(ByteBuffer) cannot free a plain direct buffer on Java 24 and later.
    private final List<CleanableDirectBuffer> sockaddrChunks = new ArrayList<>();
    private long[] chunkAddresses = new long[0];
    /** A zeroed sockaddr: family AF_UNSPEC, the "disconnect" address. */
    private final CleanableDirectBuffer unspec = Buffer.allocateDirectBufferWithNativeOrder(16);
    private final long unspecAddress = zeroed(unspec);
    /** Probe descriptors to close once the ring is gone: those let go after the lane closed. */
    private final List<Integer> closeAfterRing = new ArrayList<>();
    private volatile boolean released;

    private RingLane(IoEventLoop loop, InFlightBudget budget, AtomicInteger inFlight) {
        super(loop, budget, inFlight);
    }

    /**
     * Registers a lane with each of {@code loops}, waiting until all are registered. The registrations run at
     * once, each on its own loop's thread (starting it), instead of one after the other.
     */
    static RingLane[] register(IoEventLoop[] loops, InFlightBudget budget, AtomicInteger inFlight) {
        RingLane[] lanes = new RingLane[loops.length];
        List<Future<IoRegistration>> pending = new ArrayList<>(loops.length);
        for (int i = 0; i < loops.length; i++) {
            lanes[i] = new RingLane(loops[i], budget, inFlight);
            pending.add(loops[i].register(lanes[i]));
        }
        for (int i = 0; i < loops.length; i++) {
            lanes[i].registration = pending.get(i).syncUninterruptibly().getNow();
        }
        return lanes;
    }

    @Override
    int openSocket(boolean ipv6) {
        return ProbeSocket.open(ipv6);
    }

    @Override
    boolean startConnect(LaneProbe probe, int fd, InetSocketAddress target) {
        int slot = probe.slot;
        int length = writeSockaddr(slot, target);
        probe.connectId = submit(OP_CONNECT, fd, length, sockaddrAddress(slot), slot);
        if (probe.connectId == NOT_SUBMITTED) {
            unbind(slot);
            close(fd);
            return false;
        }
        return true;
    }

    @Override
    void cancelConnect(LaneProbe probe) {
        assert holds(probe) : "a cancel must never outlive its connect: slot " + probe.slot + " is no longer its own";
        submit(OP_ASYNC_CANCEL, -1, 0L, probe.connectId, 0);
    }

    /** A connect still pending at shutdown is cancelled, or the ring would wait on it before it can close. */
    @Override
    void stopPending(LaneProbe probe) {
        if (probe.connectPending()) {
            cancelConnect(probe);
        }
    }

    @Override
    boolean reset(LaneProbe probe, int fd, boolean ipv6) {
        if (wantsSpare(ipv6)) {
            bind(probe);
            if (submit(OP_CONNECT, fd, 16L, unspecAddress, probe.slot) != NOT_SUBMITTED) {
                return true;
            }
            unbind(probe.slot);
        }
        close(fd);
        return false;
    }

    @Override
    void close(int fd) {
        if (closed() || submit(OP_CLOSE, fd, 0L, 0L, 0) == NOT_SUBMITTED) {
            // The ring may still hold a queued CONNECT of this descriptor: a number closed now could be
            // reused, and connected, by anyone.
            closeAfterRing.add(fd);
        }
    }

    private long submit(byte opcode, int fd, long union1, long union2, long data) {
        return registration.submit(new IoUringIoOps(opcode, (byte) 0, (short) 0, fd, union1, union2, 0, 0, data,
                (short) 0, (short) 0, 0, 0L));
    }

    @Override
    public void handle(IoRegistration ignored, IoEvent event) {
        IoUringIoEvent completion = (IoUringIoEvent) event;
        switch (completion.opcode()) {
            case OP_CONNECT -> {
                LaneProbe probe = unbind((int) completion.userData());
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

    /**
     * Called by the loop as it shuts down: every pending probe is answered at once, and its socket, the
     * spares and the native memory are let go once the loop, and its ring, have terminated.
     */
    @Override
    public void close() {
        if (closed()) {
            return;
        }
        shutDown();
        IoRegistration r = registration;
        if (r != null) {
            r.cancel();
        }
        loop().terminationFuture().addListener(terminated -> releaseAfterRing());
    }

    /** Closes the descriptors and frees the memory that the ring could still have used; runs once the loop has terminated. */
    private void releaseAfterRing() {
        for (int fd : closeAfterRing) {
            ProbeSocket.closeNow(fd);
            released();
        }
        closeAfterRing.clear();
        sockaddrChunks.forEach(CleanableDirectBuffer::clean);
        sockaddrChunks.clear();
        unspec.clean();
        released = true;
    }

    /** Whether the lane's native memory and last descriptors have been let go, which happens only after its loop terminated. */
    /** Zeroes the 16 bytes of {@code sockaddr} (family AF_UNSPEC) and returns their address. */
    private static long zeroed(CleanableDirectBuffer sockaddr) {
        sockaddr.buffer().putLong(0, 0L).putLong(8, 0L);
        return Buffer.memoryAddress(sockaddr.buffer());
    }

    boolean releasedAfterRing() {
        return released;
    }

    private long sockaddrAddress(int slot) {
        return chunkAddresses[slot / CHUNK_SLOTS] + (long) (slot % CHUNK_SLOTS) * SOCKADDR_BYTES;
    }

    /** Writes {@code target} as a sockaddr_in or sockaddr_in6 into the slot's memory; returns its length. */
    private int writeSockaddr(int slot, InetSocketAddress target) {
        while (slot / CHUNK_SLOTS >= sockaddrChunks.size()) {
            CleanableDirectBuffer chunk = Buffer.allocateDirectBufferWithNativeOrder(CHUNK_SLOTS * SOCKADDR_BYTES);
            sockaddrChunks.add(chunk);
            chunkAddresses = Arrays.copyOf(chunkAddresses, sockaddrChunks.size());
            chunkAddresses[chunkAddresses.length - 1] = Buffer.memoryAddress(chunk.buffer());
        }
        ByteBuffer chunk = sockaddrChunks.get(slot / CHUNK_SLOTS).buffer();
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
