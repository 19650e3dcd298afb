package io.portflux.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.resolver.dns.SingletonDnsServerAddressStreamProvider;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import reactor.test.StepVerifier;

/**
 * Resolver tests against an in-process DNS server on loopback, so no query ever leaves the machine.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NettyHostResolverTests {

    private static final String DUAL = "dual.portflux.test";
    private static final String SILENT = "silent.portflux.test";

    private final List<String> asked = new CopyOnWriteArrayList<>();
    private MultiThreadIoEventLoopGroup serverLoop;
    private Channel dnsServer;
    private ProbeLoops loops;
    private NettyHostResolver resolver;

    @BeforeAll
    void start() throws Exception {
        serverLoop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        dnsServer = new Bootstrap()
                .group(serverLoop)
                .channel(NioDatagramChannel.class)
                .handler(new ChannelInitializer<DatagramChannel>() {
                    @Override
                    protected void initChannel(DatagramChannel ch) {
                        ch.pipeline().addLast(new DatagramDnsQueryDecoder(), new DatagramDnsResponseEncoder(), new FakeDns());
                    }
                })
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .sync()
                .channel();
        loops = new ProbeLoops(2);
        resolver = new NettyHostResolver(
                loops,
                Duration.ofMillis(300),
                new SingletonDnsServerAddressStreamProvider((InetSocketAddress) dnsServer.localAddress()),
                List.of());
    }

    @AfterAll
    void stop() {
        resolver.close();
        loops.close();
        dnsServer.close().syncUninterruptibly();
        serverLoop.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Answers A and AAAA for {@link #DUAL} (the A answer late), ignores {@link #SILENT}, NXDOMAIN otherwise. */
    private final class FakeDns extends SimpleChannelInboundHandler<DatagramDnsQuery> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramDnsQuery query) throws Exception {
            DnsQuestion question = query.recordAt(DnsSection.QUESTION);
            String name = question.name().toLowerCase();
            asked.add(name + " " + question.type().name());
            if (name.startsWith(SILENT)) {
                return;
            }
            DatagramDnsResponse response = new DatagramDnsResponse(query.recipient(), query.sender(), query.id());
            response.setRecursionAvailable(true);
            response.addRecord(DnsSection.QUESTION, question);
            long delayMs = 0;
            if (name.startsWith(DUAL) && question.type() == DnsRecordType.A) {
                response.addRecord(DnsSection.ANSWER, new DefaultDnsRawRecord(
                        question.name(), DnsRecordType.A, 60, Unpooled.wrappedBuffer(new byte[] {127, 0, 0, 7})));
                delayMs = 50; // the IPv4 answer arrives second; the result must still list it first
            } else if (name.startsWith(DUAL) && question.type() == DnsRecordType.AAAA) {
                response.addRecord(DnsSection.ANSWER, new DefaultDnsRawRecord(
                        question.name(), DnsRecordType.AAAA, 60,
                        Unpooled.wrappedBuffer(InetAddress.getByName("::1").getAddress())));
            } else {
                response.setCode(DnsResponseCode.NXDOMAIN);
            }
            ctx.executor().schedule(() -> ctx.writeAndFlush(response), delayMs, java.util.concurrent.TimeUnit.MILLISECONDS);
        }
    }

    private List<InetAddress> resolve(String name) {
        return resolver.resolve(name).block(Duration.ofSeconds(5));
    }

    @Test
    void localhostComesFromTheHostsFile() {
        asked.clear();
        List<InetAddress> addresses = resolve("localhost");
        assertThat(addresses).isNotEmpty().allMatch(InetAddress::isLoopbackAddress);
        assertThat(addresses.stream().map(InetAddress::getHostAddress))
                .containsAnyOf("127.0.0.1", "0:0:0:0:0:0:0:1");
        assertThat(asked).as("no DNS query for a hosts-file name").isEmpty();
    }

    @Test
    void bothFamiliesComeBackWithIpv4First() throws Exception {
        List<InetAddress> addresses = resolve(DUAL);
        assertThat(addresses).containsExactly(InetAddress.getByName("127.0.0.7"), InetAddress.getByName("::1"));
        assertThat(addresses.get(0)).isInstanceOf(Inet4Address.class);
        assertThat(addresses.get(1)).isInstanceOf(Inet6Address.class);
    }

    @Test
    void nxdomainIsAnEmptyList() {
        assertThat(resolve("missing.portflux.test")).isEmpty();
        assertThat(asked).anyMatch(q -> q.startsWith("missing.portflux.test"));
    }

    @Test
    void reservedInvalidNamesAreEmptyWithoutAQuery() {
        asked.clear();
        assertThat(resolve("nothing-here.invalid")).isEmpty();
        assertThat(resolve("NOTHING.INVALID.")).isEmpty();
        assertThat(asked).isEmpty();
    }

    @Test
    void addressLiteralsNeedNoQuery() throws Exception {
        asked.clear();
        assertThat(resolve("127.0.0.9")).containsExactly(InetAddress.getByName("127.0.0.9"));
        assertThat(resolve("[::1]")).containsExactly(InetAddress.getByName("::1"));
        assertThat(resolve("::1")).containsExactly(InetAddress.getByName("::1"));
        assertThat(asked).isEmpty();
    }

    @Test
    void aServerThatNeverAnswersIsAnErrorFromTheResolversOwnTimeoutNotANoSuchName() {
        // The error must come from the resolver's 300 ms query timeout, not from waiting forever.
        StepVerifier.create(resolver.resolve(SILENT))
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(java.net.UnknownHostException.class)
                            .hasRootCauseInstanceOf(io.netty.resolver.dns.DnsNameResolverTimeoutException.class);
                    assertThat(NettyHostResolver.isNoSuchName(e)).as("a timeout is not an answer").isFalse();
                })
                .verify(Duration.ofSeconds(30));
        assertThat(asked).anyMatch(q -> q.startsWith(SILENT));
    }

    @Test
    void platformResolverAnswersInvalidNamesWithoutWaiting() {
        // The production constructor: /etc/resolv.conf's servers are never asked for a .invalid name.
        // Asking a server would take up to the 5 s query timeout where none answers; 2 s is less than that.
        try (NettyHostResolver platform = new NettyHostResolver(loops, Duration.ofSeconds(5))) {
            assertThat(platform.resolve("portflux-test.invalid").block(Duration.ofSeconds(2))).isEmpty();
            assertThat(platform.resolve("localhost").block(Duration.ofSeconds(2)))
                    .isNotEmpty()
                    .allMatch(InetAddress::isLoopbackAddress);
        }
    }

    @Test
    void theResolverIsMadeAtTheFirstNameNotAtStartAndOnlyOnce() {
        AtomicInteger made = new AtomicInteger();
        try (NettyHostResolver lazy = new NettyHostResolver(loops, Duration.ofMillis(300), () -> {
                    made.incrementAndGet();
                    return new SingletonDnsServerAddressStreamProvider((InetSocketAddress) dnsServer.localAddress());
                }, List.of())) {
            assertThat(made).as("nothing built before the first name").hasValue(0);
            assertThat(lazy.resolve(DUAL).block(Duration.ofSeconds(5))).isNotEmpty();
            assertThat(lazy.resolve(DUAL).block(Duration.ofSeconds(5))).isNotEmpty();
            assertThat(made).hasValue(1);
        }
    }

    @Test
    void aClosedResolverFailsItsLookups() {
        NettyHostResolver closed = new NettyHostResolver(loops, Duration.ofMillis(300),
                new SingletonDnsServerAddressStreamProvider((InetSocketAddress) dnsServer.localAddress()), List.of());
        closed.close();
        StepVerifier.create(closed.resolve(DUAL)).expectError(IllegalStateException.class).verify(Duration.ofSeconds(5));
    }
}
