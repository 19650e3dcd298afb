package io.portflux.detect;

import io.netty.channel.ChannelOption;
import io.portflux.detect.Probes.Finding;
import io.portflux.detect.Probes.Kind;
import io.portflux.probe.InFlightBudget;
import io.portflux.scan.service.ServiceDetector;
import io.portflux.target.TargetPolicy;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.Connection;
import reactor.netty.NettyPipeline;
import reactor.netty.resources.LoopResources;
import reactor.netty.tcp.TcpClient;

/**
 * NettyServiceDetector finds what speaks on an open port with reactor-netty {@link TcpClient} connections.
 *
 * <p>It first waits a short while for a greeting (SSH, FTP, SMTP, POP3, IMAP, telnet negotiation, or a
 * close at once: {@code tcpwrapped}). A silent port gets one probe chosen by its number on that same
 * connection, and the other probes together on new connections as soon as that one has answered without
 * deciding, or one greeting wait later; the first decisive answer wins and the rest are closed. A port that
 * answers its likely probe at once (an HTTP server on 8080, TLS on 8443) so costs the server no further
 * connection. Every connection holds a slot of the shared {@link InFlightBudget}, reads at
 * most {@code maxBytes}, and the whole port is bounded by {@code maxTime}. Addresses outside the target
 * policy are refused before any connection.
 */
public final class NettyServiceDetector implements ServiceDetector, AutoCloseable {

    private final TcpClient client;
    private final TargetPolicy policy;
    private final InFlightBudget budget;
    private final DetectProperties settings;
    private final Probes probes;
    private final Runnable onClose;

    /** A detector on {@code loops}, which its caller keeps and closes. */
    public NettyServiceDetector(LoopResources loops, TargetPolicy policy, InFlightBudget budget,
            DetectProperties settings) {
        this(loops, policy, budget, settings, () -> {});
    }

    /** A detector on {@code loops}; {@link #close()} runs {@code onClose}, for loops it owns. */
    public NettyServiceDetector(LoopResources loops, TargetPolicy policy, InFlightBudget budget,
            DetectProperties settings, Runnable onClose) {
        this.onClose = Objects.requireNonNull(onClose, "onClose");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.budget = Objects.requireNonNull(budget, "budget");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.probes = new Probes(settings.probeTimeout(), settings.bannerLength(), settings.tlsPorts(),
                settings.dnsPorts());
        int connectMillis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, settings.probeTimeout().toMillis()));
        this.client = TcpClient.newConnection()
                .runOn(loops)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectMillis)
                // Nothing is read until the Listener is in place, so no greeting byte goes elsewhere.
                .option(ChannelOption.AUTO_READ, false)
                // Closed abortively, like probe sockets: a scan leaves no TIME_WAIT behind.
                .option(ChannelOption.SO_LINGER, 0);
    }

    @Override
    public void close() {
        onClose.run();
    }

    @Override
    public int concurrency() {
        return settings.concurrency();
    }

    @Override
    public Mono<Detection> detect(InetSocketAddress address, @Nullable Duration connectRtt) {
        Optional<String> refusal = address.isUnresolved() ? Optional.of("is not an address")
                : policy.refusal(address.getAddress());
        if (refusal.isPresent()) {
            return Mono.error(new IllegalArgumentException(address + " " + refusal.get()));
        }
        if (ServiceDetector.skipped(address.getPort())) {
            return Mono.empty();
        }
        Duration wait = greetingWait(connectRtt);
        return over(address, true, line -> converse(line, wait))
                .timeout(settings.maxTime(), Mono.empty());
    }

    /**
     * How long to wait for a greeting: {@code greetingMin} plus four round trips, at most
     * {@code greetingTimeout}. A server that speaks first does so as soon as it accepts, so its greeting
     * is one trip away; on loopback the minimum decides, and a silent port is probed that much sooner. A
     * greeting that comes later still is read from the probe's connection.
     */
    Duration greetingWait(@Nullable Duration connectRtt) {
        if (connectRtt == null) {
            return settings.greetingTimeout();
        }
        Duration wait = settings.greetingMin().plus(connectRtt.multipliedBy(4));
        return wait.compareTo(settings.greetingTimeout()) > 0 ? settings.greetingTimeout() : wait;
    }

    private Mono<Detection> converse(Line line, Duration wait) {
        int port = line.peer().getPort();
        return line.listener().await(Greetings::complete, wait)
                // A greeting under way when the wait ends (a busy server, a slow path) gets up to the longest
                // wait again to finish its line, rather than being named from half of it.
                .flatMap(greeting -> greeting.timedOut() && greeting.bytes().length > 0
                        ? line.listener().await(Greetings::complete, settings.greetingTimeout())
                        : Mono.just(greeting))
                .flatMap(greeting -> {
                    Detection said = Greetings.classify(greeting, port, settings.bannerLength());
                    if (said != null) {
                        return Mono.just(said);
                    }
                    return greeting.closed() ? Mono.empty() : probe(line, wait);
                });
    }

    /**
     * The port stayed silent: its own probe here, the others on new connections once that one is over without a
     * decision or {@code stagger} has passed, and the best answer wins.
     */
    private Mono<Detection> probe(Line line, Duration stagger) {
        Kind chosen = probes.forPort(line.peer().getPort());
        Sinks.Empty<Void> chosenOver = Sinks.empty();
        Mono<Void> othersMayStart = Mono.firstWithSignal(chosenOver.asMono(), Mono.delay(stagger).then());
        // Set before the merge is cancelled: the chosen probe's end (or the stagger) can still release the others
        // then, and an answer already decided must not open them a connection.
        AtomicBoolean decided = new AtomicBoolean();
        List<Mono<Finding>> asked = new ArrayList<>();
        asked.add(probes.run(chosen, line).doFinally(signal -> chosenOver.tryEmitEmpty()));
        for (Kind other : Kind.values()) {
            if (other != chosen) {
                Mono<Finding> onItsOwn = Mono.defer(() -> decided.get()
                        ? Mono.<Finding>empty()
                        : over(line.peer(), false, fresh -> probes.run(other, fresh)));
                asked.add(othersMayStart.then(onItsOwn).defaultIfEmpty(new Finding(other, null)));
            }
        }
        List<Finding> seen = new ArrayList<>();
        return Flux.merge(asked)
                .doOnNext(seen::add)
                .takeUntil(finding -> {
                    boolean done = decision(seen) != null;
                    if (done) {
                        decided.set(true);
                    }
                    return done;
                })
                .then(Mono.fromSupplier(() -> decision(seen)));
    }

    /**
     * The detection to report once enough findings are in, or null to wait for more. TLS and DNS answers
     * decide at once, and so do an HTTP answer and a greeting that came late, during the HTTP probe. An HTTP answer
     * that a TLS server gives a plain request too (nginx: 400 "plain HTTP request sent to HTTPS port"; a redirect)
     * waits for the TLS probe, and TLS is the better answer there.
     */
    static @Nullable Detection decision(List<Finding> seen) {
        Finding tls = find(seen, Kind.TLS);
        Finding dns = find(seen, Kind.DNS);
        Finding http = find(seen, Kind.HTTP);
        if (tls != null && tls.detection() != null) {
            return tls.detection();
        }
        if (dns != null && dns.detection() != null) {
            return dns.detection();
        }
        if (http != null && http.detection() != null && (tls != null || !http.mayBeTls())) {
            return http.detection();
        }
        return null;
    }

    private static @Nullable Finding find(List<Finding> seen, Kind kind) {
        for (Finding f : seen) {
            if (f.kind() == kind) {
                return f;
            }
        }
        return null;
    }

    /**
     * Runs {@code talk} on a new connection to {@code address}. The connection holds a budget slot from before
     * it opens until its channel has closed; a connect that fails or is cancelled gives it back at once.
     */
    private <T> Mono<T> over(InetSocketAddress address, boolean greeting, Function<Line, Mono<T>> talk) {
        return BudgetSlot.take(budget).flatMap(slot -> client.remoteAddress(() -> address)
                .connect()
                .doOnCancel(slot::release)
                .onErrorResume(error -> {
                    slot.release();
                    return Mono.empty();
                })
                .flatMap(connection -> {
                    connection.channel().closeFuture().addListener(closed -> slot.release());
                    Listener listener = new Listener(settings.maxBytes(), greeting);
                    var pipeline = connection.channel().pipeline();
                    pipeline.addFirst(Listener.TAP, listener.tap());
                    if (pipeline.get(NettyPipeline.ReactiveBridge) != null) {
                        pipeline.addBefore(NettyPipeline.ReactiveBridge, Listener.NAME, listener);
                    } else {
                        pipeline.addLast(Listener.NAME, listener);
                    }
                    return talk.apply(new Line(connection.channel(), address, listener))
                            .doFinally(signal -> close(connection));
                }));
    }

    private static void close(Connection connection) {
        connection.dispose();
    }
}
