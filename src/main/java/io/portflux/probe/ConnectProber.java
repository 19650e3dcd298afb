package io.portflux.probe;

import io.netty.channel.EventLoop;
import io.netty.channel.IoEventLoop;
import io.portflux.scan.ProbeOutcome;
import io.portflux.scan.Prober;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * ConnectProber makes TCP connect probes, one lane per probe event loop: on bare sockets when the loops
 * run io_uring ({@link RingLane}) or epoll ({@link EpollLane}), on Netty channels on NIO
 * ({@link ChannelProbes}).
 *
 * <p>Each probe connects a non-blocking socket on its lane's loop with the given timeout; an open
 * port's socket closes abortively (SO_LINGER 0), so no TIME_WAIT is left behind, and a refused one is
 * reused where the lane can. The per-probe path is one {@code Mono.create} and one probe object: it
 * runs a hundred thousand times a second. Every probe socket holds one slot of a process-wide
 * {@link InFlightBudget} from just before it opens until it is closed.
 */
public final class ConnectProber implements Prober {

    /** Descriptor limit assumed when the JVM cannot tell. */
    static final long FALLBACK_FD_LIMIT = 1024;

    private final ProbeLoops loops;
    private final EventLoop[] lanes;
    /** The bare-socket lanes (io_uring or epoll), or null when the loops run NIO and probes use channels. */
    private final ProbeLane @Nullable [] bareLanes;
    private final InFlightBudget budget;
    private final AtomicInteger inFlight = new AtomicInteger();
    /** The NIO probes on Netty channels, or null when the lanes use bare sockets. */
    private final @Nullable ChannelProbes channels;

    /** Creates a prober on {@code loops} with a budget of {@code budget} probe sockets open at once. */
    public ConnectProber(ProbeLoops loops, long budget) {
        this(loops, new InFlightBudget(budget));
    }

    /** Creates a prober on {@code loops} that shares {@code budget} with whoever else holds it. */
    public ConnectProber(ProbeLoops loops, InFlightBudget budget) {
        this.loops = Objects.requireNonNull(loops, "loops");
        this.budget = Objects.requireNonNull(budget, "budget");
        this.lanes = new EventLoop[loops.size()];
        Arrays.setAll(lanes, loops::loop);
        bareLanes = switch (loops.transport()) {
            case IO_URING -> RingLane.register(
                    Arrays.stream(lanes).map(IoEventLoop.class::cast).toArray(IoEventLoop[]::new), budget, inFlight);
            case EPOLL -> lanes(i -> new EpollLane((IoEventLoop) lanes[i], budget, inFlight));
            default -> null;
        };
        channels = bareLanes == null ? new ChannelProbes(loops, budget, inFlight) : null;
    }

    /**
     * The default in-flight budget: this process's open-file limit minus {@code fdHeadroom}, at least
     * 64. Falls back to a limit of 1024 when the JVM does not expose it.
     */
    public static int defaultBudget(int fdHeadroom) {
        long maxFds = FALLBACK_FD_LIMIT;
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            long reported = unix.getMaxFileDescriptorCount();
            if (reported > 0) {
                maxFds = reported;
            }
        }
        return (int) Math.min(Integer.MAX_VALUE, InFlightBudget.fromFileLimit(maxFds, fdHeadroom));
    }

    @Override
    public int lanes() {
        return lanes.length;
    }

    @Override
    public Mono<ProbeOutcome> probe(int lane, InetSocketAddress address, Duration timeout) {
        if (lane < 0 || lane >= lanes.length) {
            return Mono.error(new IllegalArgumentException("no lane " + lane + " of " + lanes.length));
        }
        if (address.isUnresolved()) {
            // Names are resolved once, up front, by the HostResolver; a probe never resolves.
            return Mono.error(new IllegalArgumentException("unresolved address: " + address));
        }
        int millis = timeoutMillis(timeout);
        if (bareLanes != null) {
            ProbeLane bare = bareLanes[lane];
            long nanos = TimeUnit.MILLISECONDS.toNanos(millis);
            return Mono.create(sink -> new LaneProbe(bare, sink, address, nanos).begin());
        }
        EventLoop loop = lanes[lane];
        return Mono.create(sink -> channels.start(sink, loop, address, millis));
    }

    /**
     * Probe sockets open right now, across all lanes and scans, including the spares a busy io_uring
     * lane keeps for reuse; returns to 0 when idle.
     */
    public int inFlight() {
        return inFlight.get();
    }

    private ProbeLane[] lanes(java.util.function.IntFunction<ProbeLane> lane) {
        ProbeLane[] all = new ProbeLane[lanes.length];
        Arrays.setAll(all, lane);
        return all;
    }

    /** The bare-socket lane of {@code lane}, or null when the loops run NIO. */
    @Nullable ProbeLane bareLane(int lane) {
        return bareLanes == null ? null : bareLanes[lane];
    }

    /** True when probes use bare sockets on their loop (io_uring or epoll) rather than Netty channels. */
    boolean bareSockets() {
        return bareLanes != null;
    }

    /** Sockets opened by the bare-socket lanes so far (each is reused while refusals keep coming); 0 on channels. */
    long socketsOpened() {
        return bareLanes == null ? 0 : Arrays.stream(bareLanes).mapToLong(ProbeLane::socketsOpened).sum();
    }

    @Override
    public long spare() {
        return budget.spare();
    }

    /** The budget this prober draws from. */
    public InFlightBudget budget() {
        return budget;
    }

    /** The loops this prober runs on. */
    public ProbeLoops loops() {
        return loops;
    }

    private static int timeoutMillis(Duration timeout) {
        long ms = timeout.toMillis();
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, ms));
    }

    /**
     * True when the connected socket is talking to itself: the kernel picked the target port as the
     * source port on the same address. Compares the raw address bytes, so an IPv4-mapped IPv6 local
     * address still matches its IPv4 target.
     */
    static boolean isSelfConnect(SocketAddress local, SocketAddress remote) {
        if (!(local instanceof InetSocketAddress l) || !(remote instanceof InetSocketAddress r)) {
            return false;
        }
        if (l.getPort() != r.getPort() || l.getAddress() == null || r.getAddress() == null) {
            return false;
        }
        return Arrays.equals(ipv4OrSelf(l.getAddress()), ipv4OrSelf(r.getAddress()));
    }

    private static byte[] ipv4OrSelf(InetAddress address) {
        byte[] b = address.getAddress();
        if (b.length == 16) {
            boolean mapped = b[10] == (byte) 0xff && b[11] == (byte) 0xff;
            for (int i = 0; i < 10 && mapped; i++) {
                mapped = b[i] == 0;
            }
            if (mapped) {
                return Arrays.copyOfRange(b, 12, 16);
            }
        }
        return b;
    }
}
