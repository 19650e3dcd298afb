package io.portflux.web.scans;

import static org.assertj.core.api.Assertions.assertThat;

import io.portflux.scan.ProbeOutcome;
import io.portflux.scan.Prober;
import io.portflux.target.HostResolver;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.convention.TestBean;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Mono;

/**
 * The refused-target corpus, through the real HTTP API: every spelling gets a 4xx problem and no
 * connect is attempted. Loopback is not allowed here; the only allowed block is TEST-NET-1, which
 * the corpus never reaches, and the prober in this context records attempts and never connects.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        // The corpus sends far more than a minute's quota of requests from one client; quotas have
        // their own tests, this one is about the policy.
        properties = {"portflux.targets.allow=192.0.2.0/24", "portflux.ports.deny=10250",
                "portflux.quotas.scans-per-minute=0"})
@AutoConfigureWebTestClient(timeout = "30s")
@Import(RefusedTargetsTests.Recording.class)
class RefusedTargetsTests {

    /** A Teredo address whose obfuscated client is 127.0.0.1 (~0x7f000001 = 80ff:fffe), server 192.0.2.1. */
    static final String TEREDO_LOOPBACK_CLIENT = "2001:0:c000:201::80ff:fffe";

    @Autowired
    WebTestClient client;

    /**
     * The recorder takes the place of the loopback guard's bean (the test context's primary
     * Prober) by name: a second primary Prober would leave the scanner with two candidates.
     */
    @TestBean(name = "loopbackOnlyProber", methodName = "recordingProber")
    Prober prober;

    private static final RecordingProber RECORDER = new RecordingProber();

    private final RecordingProber recorder = RECORDER;

    static Prober recordingProber() {
        return RECORDER;
    }

    @BeforeEach
    void forget() {
        recorder.attempts.clear();
    }

    static Stream<Arguments> corpus() {
        return Stream.of(
                // Legacy IPv4 spellings: refused as syntax before any policy (400).
                refused("2130706433", 400, "ambiguous"),
                refused("0x7f000001", 400, "ambiguous"),
                refused("0x7f.0.0.1", 400, "ambiguous"),
                refused("0177.0.0.1", 400, "legacy"),
                refused("017700000001", 400, "legacy"),
                refused("127.1", 400, "legacy"),
                refused("127.0.1", 400, "legacy"),
                refused("012.0.0.1", 400, "legacy"),
                refused("fe80::1%eth0", 400, "zone ids"),
                // IPv6 forms of loopback, embedded or not.
                refused("::ffff:127.0.0.1", 403, "outside the allowed targets"),
                refused("::ffff:7f00:1", 403, "outside the allowed targets"),
                refused("::127.0.0.1", 403, "outside the allowed targets"),
                refused("64:ff9b::7f00:1", 403, "outside the allowed targets"),
                refused("2002:7f00:1::", 403, "outside the allowed targets"),
                refused(TEREDO_LOOPBACK_CLIENT, 403, "outside the allowed targets"),
                refused("[::1]", 403, "outside the allowed targets"),
                // Embedded denied IPv4 is named as such.
                refused("::ffff:169.254.169.254", 403, "(IPv4-mapped), which touches the denied block 169.254.0.0/16"),
                refused("64:ff9b::a9fe:a9fe", 403, "(NAT64), which touches the denied block 169.254.0.0/16"),
                // The built-in deny-list.
                refused("169.254.169.254", 403, "denied block 169.254.0.0/16"),
                refused("fd00:ec2::254", 403, "denied block fd00:ec2::254"),
                refused("224.0.0.1", 403, "denied block 224.0.0.0/4"),
                refused("255.255.255.255", 403, "denied block 255.255.255.255"),
                refused("0.0.0.0", 403, "denied block 0.0.0.0/8"),
                refused("::", 403, "denied block ::"),
                // Names: every resolved address is checked.
                refused("localhost.", 403, "resolves to 127.0.0.1"),
                refused("metadata.test", 403, "resolves to 169.254.169.254, which touches the denied block"),
                refused("partly.test", 403, "resolves to 169.254.169.254"),
                // Blocks and ranges are judged whole, never trimmed.
                refused("169.254.0.0/15", 403, "denied block 169.254.0.0/16"),
                refused("169.254.169.250-169.254.169.255", 403, "denied block 169.254.0.0/16"),
                refused("127.0.0.0/7", 403, "outside the allowed targets"),
                refused("192.0.2.0/23", 403, "outside the allowed targets"),
                // One bad entry refuses the whole list.
                refusedEntry("127.0.0.1,169.254.169.254", "127.0.0.1", 403, "outside the allowed targets"),
                refusedEntry("192.0.2.1,169.254.169.254", "169.254.169.254", 403, "denied block 169.254.0.0/16"),
                refusedEntry("192.0.2.1,partly.test", "partly.test", 403, "169.254.169.254"));
    }

    private static Arguments refused(String targets, int status, String detail) {
        return refusedEntry(targets, targets, status, detail);
    }

    private static Arguments refusedEntry(String targets, String entry, int status, String detail) {
        return Arguments.of(targets, entry, status, detail);
    }

    @ParameterizedTest(name = "GET /api/scan?targets={0} -> {2}")
    @MethodSource("corpus")
    void getScanRefusesBeforeAnyProbe(String targets, String entry, int status, String detail) {
        assertThat(prober).as("the scanner's prober in this context").isSameAs(recorder);
        client.get().uri(b -> b.path("/api/scan").queryParam("targets", "{t}").queryParam("ports", "80").build(targets))
                .accept(MediaType.TEXT_EVENT_STREAM)
                .exchange()
                .expectStatus().isEqualTo(status)
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.field").isEqualTo("targets")
                .jsonPath("$.value").isEqualTo(entry)
                .jsonPath("$.detail").value(d -> assertThat((String) d).contains(entry).contains(detail));
        assertThat(recorder.attempts).as("connect attempts").isEmpty();
    }

    @ParameterizedTest(name = "POST /api/scans targets={0} -> {2}")
    @MethodSource("corpus")
    void postScansRefusesBeforeAnyProbe(String targets, String entry, int status, String detail) {
        client.post().uri("/api/scans").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("targets", targets, "ports", "80"))
                .exchange()
                .expectStatus().isEqualTo(status)
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectHeader().doesNotExist("Location")
                .expectBody()
                .jsonPath("$.value").isEqualTo(entry)
                .jsonPath("$.detail").value(d -> assertThat((String) d).contains(entry).contains(detail));
        assertThat(recorder.attempts).as("connect attempts").isEmpty();
    }

    @Test
    void aDeniedPortIsRefusedForBothEndpointsNamingThePort() {
        client.get().uri("/api/scan?targets=192.0.2.1&ports=443,10250").exchange()
                .expectStatus().isForbidden()
                .expectBody()
                .jsonPath("$.field").isEqualTo("ports")
                .jsonPath("$.detail").value(d -> assertThat((String) d).contains("port 10250"));
        client.post().uri("/api/scans").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("targets", "192.0.2.1", "ports", "10000-11000"))
                .exchange()
                .expectStatus().isForbidden()
                .expectBody().jsonPath("$.detail").value(d -> assertThat((String) d).contains("port 10250"));
        assertThat(recorder.attempts).isEmpty();
    }

    @Test
    void anAllowedTargetDoesReachTheRecorderSoTheZeroChecksCanFail() {
        // The recorder never connects, so "reaching" TEST-NET-1 here sends nothing anywhere.
        assertThat(prober).isSameAs(recorder);
        client.get().uri("/api/scan?targets=192.0.2.1&ports=80&retries=0").accept(MediaType.TEXT_EVENT_STREAM).exchange()
                .expectStatus().isOk()
                .returnResult(String.class).getResponseBody().blockLast(Duration.ofSeconds(20));
        assertThat(recorder.attempts).extracting(a -> a.getAddress().getHostAddress() + ":" + a.getPort())
                .containsExactly("192.0.2.1:80");
    }

    /** Records every connect attempt and answers "refused" without opening any socket. */
    static final class RecordingProber implements Prober {

        final List<InetSocketAddress> attempts = new CopyOnWriteArrayList<>();

        @Override
        public int lanes() {
            return 1;
        }

        @Override
        public Mono<ProbeOutcome> probe(int lane, InetSocketAddress address, Duration timeout) {
            return Mono.fromCallable(() -> {
                attempts.add(address);
                return new ProbeOutcome.Refused(Duration.ZERO);
            });
        }
    }

    /** A resolver stub, so that no name reaches real DNS. */
    @TestConfiguration(proxyBeanMethods = false)
    static class Recording {

        @Bean
        @Primary
        HostResolver stubResolver() {
            return name -> Mono.fromCallable(() -> switch (name) {
                case "localhost.", "localhost" -> List.of(ip(127, 0, 0, 1), InetAddress.getByName("::1"));
                case "metadata.test" -> List.of(ip(169, 254, 169, 254));
                // The first answer is allowed, the second is not: the name is refused all the same.
                case "partly.test" -> List.of(ip(192, 0, 2, 10), ip(169, 254, 169, 254));
                default -> List.<InetAddress>of();
            });
        }

        private static InetAddress ip(int a, int b, int c, int d) throws UnknownHostException {
            return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
        }
    }
}
