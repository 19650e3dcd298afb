package io.portflux.detect;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.dns.DefaultDnsQuery;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DnsOpCode;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.handler.codec.dns.TcpDnsQueryEncoder;
import io.netty.handler.codec.dns.TcpDnsResponseDecoder;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.portflux.scan.event.EventData;
import io.portflux.scan.service.ServiceDetector.Detection;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * Probes are the questions detection asks a silent port, each on a Netty pipeline with Netty's own codec:
 * {@code HEAD / HTTP/1.0} ({@link HttpClientCodec}), a TLS ClientHello ({@link SslHandler}, trusting any
 * certificate, because it only reads it) followed by the same HEAD inside TLS, and a {@code version.bind}
 * CH TXT query over TCP ({@link TcpDnsQueryEncoder}).
 *
 * <p>They send nothing else: no credentials, no mail commands, no POST, no ANY or AXFR query.
 */
final class Probes {

    /** The kinds of probe, in the order a decision prefers them. */
    enum Kind {
        TLS, DNS, HTTP
    }

    /**
     * What one probe found: a detection, or null when the port did not answer it in its protocol. {@code mayBeTls}
     * marks a plain HTTP answer that a TLS server gives a plain request too (nginx: 400 "plain HTTP request sent to
     * HTTPS port"; a redirect to https), so that the TLS probe's answer is worth waiting for.
     */
    record Finding(Kind kind, @Nullable Detection detection, boolean mayBeTls) {
        Finding(Kind kind, @Nullable Detection detection) {
            this(kind, detection, false);
        }
    }

    /** The head of an HTTP answer, copied out of the codec's message. */
    private record HttpHead(String status, int code, @Nullable String server) {}

    /** What the HTTP probe made of an answer, and whether a TLS server might have given it. */
    private record HttpAnswer(Detection detection, boolean mayBeTls) {}

    /** A DNS answer, copied out of the codec's message. */
    private record DnsAnswer(String rcode, List<String> texts) {}

    private static final Object NOT_HTTP = new Object();

    private final Duration timeout;
    private final int bannerLength;
    private final Set<Integer> tlsPorts;
    private final Set<Integer> dnsPorts;

    Probes(Duration timeout, int bannerLength, Set<Integer> tlsPorts, Set<Integer> dnsPorts) {
        this.timeout = timeout;
        this.bannerLength = bannerLength;
        this.tlsPorts = Set.copyOf(tlsPorts);
        this.dnsPorts = Set.copyOf(dnsPorts);
    }

    /**
     * The TLS client context, built when first used: building it loads and starts the JDK's TLS provider, about
     * 400 classes, which a start does not need. Certificates are read, never trusted or refused.
     */
    private static final class TlsClient {

        static final SslContext CONTEXT = build();

        private static SslContext build() {
            try {
                return SslContextBuilder.forClient()
                        .trustManager(InsecureTrustManagerFactory.INSTANCE)
                        .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                                ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                                ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                                ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1))
                        .build();
            } catch (SSLException e) {
                throw new IllegalStateException("cannot build the TLS client context", e);
            }
        }
    }

    /** The probe a port most likely answers, sent on the connection that waited for a greeting. */
    Kind forPort(int port) {
        return tlsPorts.contains(port) ? Kind.TLS : dnsPorts.contains(port) ? Kind.DNS : Kind.HTTP;
    }

    /** Runs the probe of {@code kind} on a connected line; emits exactly one finding within the probe timeout. */
    Mono<Finding> run(Kind kind, Line line) {
        Mono<Finding> asked = switch (kind) {
            case HTTP -> http(line, null).map(answer -> new Finding(kind, answer.detection(), answer.mayBeTls()));
            case TLS -> tls(line).map(found -> new Finding(kind, found));
            case DNS -> dns(line).map(found -> new Finding(kind, found));
        };
        return asked
                .timeout(timeout, Mono.empty())
                .onErrorResume(error -> Mono.empty())
                .defaultIfEmpty(new Finding(kind, null));
    }

    private Mono<HttpAnswer> http(Line line, EventData.@Nullable Tls session) {
        Channel channel = line.channel();
        return Mono.defer(() -> {
            line.listener().reset();
            line.listener().decodeWith(Probes::httpHead);
            channel.pipeline().addBefore(Listener.NAME, "portflux.detect.http", new HttpClientCodec());
            // HTTP/1.0 and no headers: the smallest request every server answers; HEAD changes nothing.
            channel.writeAndFlush(new DefaultFullHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.HEAD, "/"));
            // A greeting that comes now ends the probe too: the port speaks first after all, and an HTTP answer
            // will not follow (telnetd negotiates, then waits; its login line comes only after login has started).
            return line.listener().await(reply -> reply.message() != null
                    || session == null && late(reply, line.peer().getPort()) != null, timeout);
        }).flatMap(reply -> {
            if (!(reply.message() instanceof HttpHead head)) {
                // Not HTTP; perhaps a greeting that came after the wait for it (an SMTP greet pause).
                Detection late = session == null ? late(reply, line.peer().getPort()) : null;
                return late == null ? Mono.empty() : Mono.just(new HttpAnswer(late, false));
            }
            String[] product = Greetings.nameAndVersion(head.server());
            String banner = head.status() + (head.server() == null ? "" : " Server: " + head.server());
            boolean mayBeTls = session == null && (head.code() == 400 || head.code() / 100 == 3);
            return Mono.just(new HttpAnswer(new Detection(session == null ? "http" : "https", product[0], product[1],
                    Greetings.banner(banner.getBytes(StandardCharsets.ISO_8859_1), bannerLength), session), mayBeTls));
        });
    }

    /** A whole greeting named as a service (not tcpwrapped) in {@code reply}, or null. */
    private @Nullable Detection late(Reply reply, int port) {
        if (!reply.telnet() && !Greetings.complete(reply)) {
            return null;
        }
        Detection said = Greetings.classify(reply, port, bannerLength);
        return said == null || said.service() == null || "tcpwrapped".equals(said.service()) ? null : said;
    }

    private Mono<Detection> tls(Line line) {
        return Mono.defer(() -> {
            Channel channel = line.channel();
            InetSocketAddress peer = line.peer();
            SslHandler ssl = TlsClient.CONTEXT.newHandler(channel.alloc(), peer.getHostString(), peer.getPort());
            ssl.setHandshakeTimeoutMillis(timeout.toMillis());
            line.listener().reset();
            channel.pipeline().addFirst("portflux.detect.tls", ssl);
            return Mono.<SslHandler>create(sink -> ssl.handshakeFuture().addListener(done -> {
                if (done.isSuccess()) {
                    sink.success(ssl);
                } else {
                    sink.success();
                }
            }));
        }).flatMap(ssl -> {
            SSLSession session = ssl.engine().getSession();
            EventData.Tls found = new EventData.Tls(session.getProtocol(), subject(session), sans(session),
                    ssl.applicationProtocol());
            Detection bare = new Detection("tls", null, null, null, found);
            if (ApplicationProtocolNames.HTTP_2.equals(found.alpn())) {
                // h2 was chosen: an HTTP/1.0 HEAD is not what it expects; the ALPN answer says enough.
                return Mono.just(new Detection("https", null, null, null, found));
            }
            return http(line, found).map(HttpAnswer::detection).defaultIfEmpty(bare);
        });
    }

    private Mono<Detection> dns(Line line) {
        return Mono.defer(() -> {
            ChannelPipeline pipeline = line.channel().pipeline();
            line.listener().reset();
            line.listener().decodeWith(Probes::dnsAnswer);
            pipeline.addBefore(Listener.NAME, "portflux.detect.dns-in", new TcpDnsResponseDecoder());
            pipeline.addBefore(Listener.NAME, "portflux.detect.dns-out", new TcpDnsQueryEncoder());
            // CHAOS-class TXT for version.bind: one record, read-only; never ANY, never a zone transfer.
            DefaultDnsQuery query = new DefaultDnsQuery(ThreadLocalRandom.current().nextInt(1, 65536), DnsOpCode.QUERY);
            query.setRecursionDesired(false);
            query.setRecord(DnsSection.QUESTION,
                    new DefaultDnsQuestion("version.bind.", DnsRecordType.TXT, DnsRecord.CLASS_CHAOS));
            line.channel().writeAndFlush(query);
            return line.listener().await(reply -> reply.message() != null, timeout);
        }).flatMap(reply -> {
            if (!(reply.message() instanceof DnsAnswer answer)) {
                return Mono.empty();
            }
            String text = answer.texts().isEmpty() ? null : answer.texts().get(0);
            String[] product = Greetings.nameAndVersion(text);
            String banner = "version.bind: " + (text == null ? answer.rcode() : text);
            return Mono.just(new Detection("domain", product[0], product[1],
                    Greetings.banner(banner.getBytes(StandardCharsets.ISO_8859_1), bannerLength), null));
        });
    }

    private static @Nullable Object httpHead(Object message) {
        if (message instanceof HttpResponse response) {
            if (response.decoderResult().isFailure()) {
                return NOT_HTTP;
            }
            return new HttpHead(response.protocolVersion() + " " + response.status(), response.status().code(),
                    response.headers().get(HttpHeaderNames.SERVER));
        }
        return null;
    }

    private static @Nullable Object dnsAnswer(Object message) {
        if (!(message instanceof DnsResponse response)) {
            return null;
        }
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < response.count(DnsSection.ANSWER); i++) {
            DnsRecord record = response.recordAt(DnsSection.ANSWER, i);
            if (record.type() == DnsRecordType.TXT && record instanceof DnsRawRecord raw) {
                ByteBuf content = raw.content();
                StringBuilder text = new StringBuilder();
                int at = content.readerIndex();
                int end = content.writerIndex();
                while (at < end) {
                    int length = content.getUnsignedByte(at++);
                    int stop = Math.min(end, at + length);
                    text.append(content.toString(at, stop - at, StandardCharsets.ISO_8859_1));
                    at = stop;
                }
                texts.add(text.toString());
            }
        }
        return new DnsAnswer(response.code().toString(), texts);
    }

    private static @Nullable String subject(SSLSession session) {
        X509Certificate cert = leaf(session);
        return cert == null ? null : cert.getSubjectX500Principal().getName();
    }

    private static List<String> sans(SSLSession session) {
        X509Certificate cert = leaf(session);
        List<String> names = new ArrayList<>();
        if (cert == null) {
            return names;
        }
        try {
            Collection<List<?>> alternatives = cert.getSubjectAlternativeNames();
            if (alternatives != null) {
                for (List<?> entry : alternatives) {
                    if (entry.size() > 1 && entry.get(1) instanceof String name) {
                        names.add(name);
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // A certificate whose SAN extension does not parse: it has no names worth showing.
        }
        return names;
    }

    private static @Nullable X509Certificate leaf(SSLSession session) {
        try {
            Certificate[] chain = session.getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate x509 ? x509 : null;
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            return null;
        }
    }
}
