package io.portflux.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portflux.scan.ProbeOutcome;
import io.portflux.scan.Prober;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

class LoopbackOnlyProberTests {

    /** Records what it is asked and answers without any I/O. */
    private static final class RecordingProber implements Prober {
        final List<InetSocketAddress> asked = new CopyOnWriteArrayList<>();

        @Override
        public int lanes() {
            return 3;
        }

        @Override
        public Mono<ProbeOutcome> probe(int lane, InetSocketAddress address, Duration timeout) {
            asked.add(address);
            return Mono.just(new ProbeOutcome.Refused(Duration.ZERO));
        }
    }

    private static InetSocketAddress at(String literal, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(literal), port);
    }

    @Test
    void aRigsGuardLetsExactlyItsTargetsThroughAndRefusesTheirNeighbours() throws Exception {
        RecordingProber fake = new RecordingProber();
        LoopbackOnlyProber guard = new LoopbackOnlyProber(fake, java.util.Set.of(InetAddress.getByName("198.18.0.2")));
        InetSocketAddress target = at("198.18.0.2", 80);
        InetSocketAddress neighbour = at("198.18.0.3", 80);

        StepVerifier.create(guard.probe(0, target, Duration.ofSeconds(1))).expectNextCount(1).verifyComplete();
        assertThatThrownBy(() -> guard.probe(0, neighbour, Duration.ofSeconds(1))).isInstanceOf(AssertionError.class);
        assertThat(fake.asked).containsExactly(target);
        assertThat(guard.violations()).containsExactly(neighbour);
    }

    @Test
    void rigTargetsComeOnlyFromTheSystemPropertyARigSets() throws Exception {
        assertThat(System.getProperty(LoopbackOnlyProber.RIG_TARGETS)).as("set in rig services only").isNull();
        assertThat(LoopbackOnlyProber.rigTargetsOfThisProcess()).isEmpty();
    }

    @Test
    void refusesAPrivateAddressWithoutAskingTheDelegate() throws Exception {
        RecordingProber fake = new RecordingProber();
        LoopbackOnlyProber guard = new LoopbackOnlyProber(fake);
        InetSocketAddress private10 = at("10.0.0.1", 80);

        assertThatThrownBy(() -> guard.probe(0, private10, Duration.ofSeconds(1)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("10.0.0.1");
        assertThat(fake.asked).isEmpty();
        assertThat(guard.violations()).containsExactly(private10);
    }

    @Test
    void inAFluxTheViolationBecomesAnErrorSignal() throws Exception {
        RecordingProber fake = new RecordingProber();
        LoopbackOnlyProber guard = new LoopbackOnlyProber(fake);
        List<InetSocketAddress> targets = List.of(at("127.0.0.1", 1), at("10.0.0.1", 2), at("127.0.0.1", 3));
        StepVerifier.create(Flux.fromIterable(targets).concatMap(a -> guard.probe(0, a, Duration.ofSeconds(1))))
                .expectNextCount(1)
                .expectError(AssertionError.class)
                .verify(Duration.ofSeconds(5));
        assertThat(fake.asked).containsExactly(at("127.0.0.1", 1));
    }

    @Test
    void refusesUnresolvedAndPublicAndMappedNonLoopbackAddresses() throws Exception {
        RecordingProber fake = new RecordingProber();
        LoopbackOnlyProber guard = new LoopbackOnlyProber(fake);
        for (InetSocketAddress bad : List.of(
                InetSocketAddress.createUnresolved("localhost", 80),
                at("192.0.2.1", 80),
                at("0.0.0.0", 80),
                at("::", 80),
                at("fe80::1", 80),
                at("::ffff:10.0.0.1", 80))) {
            assertThatThrownBy(() -> guard.probe(0, bad, Duration.ofSeconds(1))).isInstanceOf(AssertionError.class);
        }
        assertThat(fake.asked).isEmpty();
    }

    @Test
    void passesLoopbackThrough() throws Exception {
        RecordingProber fake = new RecordingProber();
        LoopbackOnlyProber guard = new LoopbackOnlyProber(fake);
        assertThat(guard.lanes()).isEqualTo(3);
        for (InetSocketAddress ok : List.of(at("127.0.0.1", 1), at("127.3.2.1", 2), at("::1", 3))) {
            assertThat(guard.probe(1, ok, Duration.ofSeconds(1)).block()).isInstanceOf(ProbeOutcome.Refused.class);
        }
        assertThat(fake.asked).hasSize(3);
        assertThat(guard.violations()).isEmpty();
    }
}
