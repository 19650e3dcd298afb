package io.portflux.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portflux.input.InvalidInputException;
import io.portflux.target.HostResolver;
import io.portflux.target.TargetNotAllowedException;
import io.portflux.target.TargetPolicy;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

class ScanPlannerTests {

    private final AtomicInteger lookups = new AtomicInteger();

    /** Resolves a few fixed names without any network: a resolver stub. */
    private final HostResolver stub = name -> {
        lookups.incrementAndGet();
        return Mono.just(switch (name) {
            case "localhost" -> List.of(address("127.0.0.1"), address("::1"));
            case "db.test" -> List.of(address("127.0.0.9"));
            case "outside.test" -> List.of(address("192.0.2.7"));
            case "multi.test" -> List.of(address("127.0.0.7"), address("169.254.169.254"));
            case "mapped.test" -> List.of(address("::1"), address("64:ff9b::a9fe:a9fe"));
            default -> List.<InetAddress>of();
        });
    };

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private ScanPlan plan(String targets, String ports) {
        return planner().plan(new ScanRequest(targets, ports, null, null, null, null, null, null, null)).block();
    }

    private ScanPlanner planner() {
        return new ScanPlanner(Plans.limits(), TargetPolicy.loopback(), stub, () -> 7L);
    }

    @Test
    void defaultsComeFromTheLimits() {
        ScanPlan plan = plan("127.0.0.1", null);
        assertThat(plan.ports().size()).isGreaterThanOrEqualTo(1000);
        assertThat(plan.concurrency()).isEqualTo(64);
        assertThat(plan.timeout()).isEqualTo(Duration.ofMillis(200));
        assertThat(plan.retries()).isEqualTo(1);
        assertThat(plan.rate()).isNull();
        assertThat(plan.reportAll()).isFalse();
        assertThat(plan.randomOrder()).isTrue();
        assertThat(plan.seed()).isEqualTo(7L);
    }

    private ScanPlan planDetect(String report, String detect, ScanLimits limits) {
        return new ScanPlanner(limits, TargetPolicy.loopback(), stub, () -> 7L)
                .plan(new ScanRequest("127.0.0.1", "80", null, null, null, null, report, null, null, detect)).block();
    }

    @Test
    void detectionIsOnByDefaultForOpenReportsOffForFullReportsAndAsAskedOtherwise() {
        assertThat(planDetect(null, null, Plans.limits()).detect()).isTrue();
        assertThat(planDetect("open", null, Plans.limits()).detect()).isTrue();
        assertThat(planDetect("all", null, Plans.limits()).detect()).isFalse();
        assertThat(planDetect("all", "on", Plans.limits()).detect()).isTrue();
        assertThat(planDetect("open", " OFF ", Plans.limits()).detect()).isFalse();
        ScanLimits off = new ScanLimits(1_000_000, 64, 4096, Duration.ofMillis(200), Duration.ofMillis(10),
                Duration.ofSeconds(30), 1, 5, 1_000_000, false);
        assertThat(planDetect("open", null, off).detect()).as("the config default").isFalse();
        assertThat(planDetect("open", "on", off).detect()).isTrue();
    }

    @Test
    void aBadDetectValueIsRejectedNamingTheFieldAndTheValue() {
        assertThatThrownBy(() -> planDetect(null, "yes", Plans.limits()))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> {
                    assertThat(e.field()).isEqualTo("detect");
                    assertThat(e.value()).isEqualTo("yes");
                })
                .hasMessageContaining("'on' or 'off'");
    }

    @Test
    void aNameIsResolvedOnceAndItsFirstAddressIsScannedLikeNmap() {
        ScanPlan plan = plan("localhost,LOCALHOST", "80");
        assertThat(plan.hosts().size()).hasToString("1");
        assertThat(plan.hosts().addressAt(0).getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(plan.hostNames()).containsEntry(address("127.0.0.1"), "localhost");
        assertThat(plan.targets().get(0).otherAddresses()).containsExactly("::1");
        assertThat(lookups.get()).isEqualTo(1);
    }

    @Test
    void exclusionsApplyWhateverTheirPosition() {
        ScanPlan before = plan("!127.0.0.5,127.0.0.1-10,!db.test", "80");
        ScanPlan after = plan("127.0.0.1-10,!127.0.0.5,!db.test", "80");
        assertThat(before.hosts()).isEqualTo(after.hosts());
        assertThat(before.hosts().size()).hasToString("8");
    }

    @Test
    void anUnresolvedNameIsReportedAndTheRestGoesOn() {
        ScanPlan plan = plan("nowhere.test,127.0.0.1", "80");
        assertThat(plan.targets()).anySatisfy(t -> {
            assertThat(t.spec()).isEqualTo("nowhere.test");
            assertThat(t.error()).isEqualTo("does not resolve");
        });
        assertThat(plan.total()).isEqualTo(1);
    }

    @Test
    void nothingLeftToScanIsA400ThatTellsAnUnresolvedNameFromAnExcludedSet() {
        assertThatThrownBy(() -> plan("nowhere.test", "80")).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("targets").hasMessageContaining("nowhere.test")
                .hasMessageContaining("no name resolved").hasMessageNotContaining("exclu");
        assertThatThrownBy(() -> plan("127.0.0.1,!127.0.0.0/24", "80")).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("exclusions cover every included address").hasMessageNotContaining("resolve");
        assertThatThrownBy(() -> plan("127.0.0.1,nowhere.test,!127.0.0.1", "80")).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("exclusions cover").hasMessageContaining("nowhere.test did not resolve");
    }

    @Test
    void targetsOutsideTheAllowListAreRefusedAsAWholeNamingTheEntry() {
        assertThatThrownBy(() -> plan("127.0.0.1,10.0.0.0/8", "80")).isInstanceOf(TargetNotAllowedException.class)
                .hasMessageContaining("10.0.0.0/8");
        // A block that only touches the allowed range is refused, not trimmed.
        assertThatThrownBy(() -> plan("126.255.255.255-127.0.0.1", "80")).isInstanceOf(TargetNotAllowedException.class);
        assertThatThrownBy(() -> plan("outside.test", "80")).isInstanceOf(TargetNotAllowedException.class)
                .hasMessageContaining("outside.test").hasMessageContaining("192.0.2.7");
    }

    @Test
    void everyAddressOfANameIsCheckedNotOnlyTheFirstOneScanned() {
        assertThatThrownBy(() -> plan("multi.test", "80")).isInstanceOf(TargetNotAllowedException.class)
                .hasMessageContaining("multi.test").hasMessageContaining("169.254.169.254")
                .hasMessageContaining("169.254.0.0/16");
        assertThatThrownBy(() -> plan("mapped.test", "80")).isInstanceOf(TargetNotAllowedException.class)
                .hasMessageContaining("mapped.test").hasMessageContaining("64:ff9b::a9fe:a9fe")
                .hasMessageContaining("NAT64");
    }

    @Test
    void oneDeniedEntryRefusesTheWholeList() {
        assertThatThrownBy(() -> plan("127.0.0.1,169.254.169.254", "80")).isInstanceOf(TargetNotAllowedException.class)
                .hasMessage("targets='169.254.169.254': touches the denied block 169.254.0.0/16");
        // An exclusion does not trim a denied block into an acceptable one.
        assertThatThrownBy(() -> plan("127.0.0.1,169.254.169.254,!169.254.169.254", "80"))
                .isInstanceOf(TargetNotAllowedException.class);
    }

    @Test
    void aDeniedPortRefusesTheScanNamingThePort() {
        ScanPlanner planner = new ScanPlanner(Plans.limits(),
                TargetPolicy.of(List.of("127.0.0.0/8"), List.of(), List.of("25,10250")), stub, () -> 7L);
        assertThatThrownBy(() -> planner.plan(new ScanRequest("127.0.0.1", "1-1024", null, null, null, null, null, null, null)).block())
                .isInstanceOfSatisfying(TargetNotAllowedException.class, e -> {
                    assertThat(e.field()).isEqualTo("ports");
                    assertThat(e.target()).isEqualTo("1-1024");
                    assertThat(e.getMessage()).contains("port 25");
                });
        // The default, top-1000, holds 25 too.
        assertThatThrownBy(() -> planner.plan(new ScanRequest("127.0.0.1", null, null, null, null, null, null, null, null)).block())
                .isInstanceOf(TargetNotAllowedException.class).hasMessageContaining("ports='top-1000'");
        assertThat(planner.plan(new ScanRequest("127.0.0.1", "80", null, null, null, null, null, null, null)).block()).isNotNull();
    }

    @Test
    void overTheProbeLimitIsTooLarge() {
        assertThatThrownBy(() -> plan("127.0.0.0/16", "all")).isInstanceOf(ScanTooLargeException.class)
                .hasMessageContaining("127.0.0.0/16").hasMessageContaining("4294901760");
    }

    @Test
    void checksRunInOrderSyntaxBeforePolicyBeforeSize() {
        assertThatThrownBy(() -> plan("10.0.0.0/8", "99999")).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> plan("10.0.0.0/8", "all")).isInstanceOf(TargetNotAllowedException.class);
    }

    @Test
    void aLargeScanCostsNoMoreMemoryThanASmallOne() {
        ScanLimits roomy = new ScanLimits(20_000_000, 64, 4096, Duration.ofMillis(200), Duration.ofMillis(10),
                Duration.ofSeconds(30), 1, 5, 1_000_000);
        ScanPlanner planner = new ScanPlanner(roomy, TargetPolicy.loopback(), stub, () -> 7L);
        ScanRequest small = new ScanRequest("127.0.0.1", "80", null, null, null, null, null, null, null);
        ScanRequest large = new ScanRequest("127.0.0.0/8", "80", null, null, null, null, null, null, null);
        planAndWalk(planner, small); // warm up class loading
        long smallBytes = planAndWalk(planner, small);
        long largeBytes = planAndWalk(planner, large);
        // 16.7 million probes: materialising them would take hundreds of megabytes.
        assertThat(largeBytes).isLessThan(smallBytes + 2_000_000);
    }

    private static long planAndWalk(ScanPlanner planner, ScanRequest request) {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        ScanPlan plan = planner.plan(request).block();
        ProbeSpace space = new ProbeSpace(plan);
        long walk = Math.min(space.size(), 1000);
        for (long position = 0; position < walk; position++) {
            space.addressAt(position);
        }
        // The last position reaches the far end of the space without walking up to it.
        space.addressAt(space.size() - 1);
        return threads.getCurrentThreadAllocatedBytes() - before - walk * 200;
    }

}
