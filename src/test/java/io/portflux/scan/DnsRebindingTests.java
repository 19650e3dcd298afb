package io.portflux.scan;

import static org.assertj.core.api.Assertions.assertThat;

import io.portflux.scan.event.EventData;
import io.portflux.scan.event.ScanEvent;
import io.portflux.target.HostResolver;
import io.portflux.target.TargetNotAllowedException;
import io.portflux.target.TargetPolicy;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

class DnsRebindingTests {

    /** A rebinding name: a harmless address on the first query, the metadata service afterwards. */
    private final AtomicInteger queries = new AtomicInteger();
    private final HostResolver rebinding = name -> Mono.fromCallable(() -> queries.incrementAndGet() == 1
            ? List.of(InetAddress.getByAddress(name, new byte[] {127, 0, 0, 1}))
            : List.of(InetAddress.getByAddress(name, new byte[] {(byte) 169, (byte) 254, (byte) 169, (byte) 254})));

    @Test
    void theProbeGoesToTheAddressThatWasCheckedAndTheNameIsNotAskedAgain() {
        ScanPlan plan = new ScanPlanner(Plans.limits(), TargetPolicy.loopback(), rebinding, () -> 1L)
                .plan(new ScanRequest("rebind.test", "80,443", null, null, "2", null, "all", null, null))
                .block(Duration.ofSeconds(10));
        FakeProber prober = new FakeProber(2, address -> Mono.just(new ProbeOutcome.Refused(Duration.ofMillis(1))));

        List<ScanEvent> events = new Scanner(prober, Duration.ofMillis(250)).scan("s1", plan, Mono.never())
                .collectList().block(Duration.ofSeconds(30));

        assertThat(((EventData.Done) events.get(events.size() - 1).data()).status()).isEqualTo("completed");
        assertThat(prober.attempts).hasSize(2)
                .allSatisfy(a -> assertThat(a.address().getAddress().getHostAddress()).isEqualTo("127.0.0.1"))
                .allSatisfy(a -> assertThat(a.address().isUnresolved()).isFalse());
        assertThat(queries).hasValue(1);
    }

    @Test
    void aSecondPlanAsksAgainAndIsRefused() {
        // The same stub is dangerous on its second answer: proves the test above could have failed.
        ScanPlanner planner = new ScanPlanner(Plans.limits(), TargetPolicy.loopback(), rebinding, () -> 1L);
        ScanRequest request = new ScanRequest("rebind.test", "80", null, null, null, null, null, null, null);
        planner.plan(request).block(Duration.ofSeconds(10));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> planner.plan(request).block(Duration.ofSeconds(10)))
                .isInstanceOf(TargetNotAllowedException.class)
                .hasMessageContaining("rebind.test").hasMessageContaining("169.254.169.254");
        assertThat(queries).hasValue(2);
    }
}
