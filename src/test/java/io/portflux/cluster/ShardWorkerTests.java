package io.portflux.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.portflux.scan.ProbeOutcome;
import io.portflux.scan.Prober;
import io.portflux.scan.ScanLimits;
import io.portflux.scan.ScanPlan;
import io.portflux.scan.ScanPlanner;
import io.portflux.scan.ScanRequest;
import io.portflux.scan.Scanner;
import io.portflux.scan.event.EventData;
import io.portflux.scan.shard.Checkpoint;
import io.portflux.scan.shard.IndexRange;
import io.portflux.store.ShardStore;
import io.portflux.store.StoreSignals;
import io.portflux.target.TargetPolicy;
import io.portflux.testing.Await;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import tools.jackson.databind.json.JsonMapper;

/** ShardWorker at shutdown, against a store whose answers the test holds back (no database). */
class ShardWorkerTests {

    private static final ClusterProperties PROPERTIES = new ClusterProperties(true, 4, 1_000, 2,
            Duration.ofSeconds(30), Duration.ofMillis(50), Duration.ofMinutes(1));

    private final StoreSignals signals = new StoreSignals();
    private ShardWorker worker;

    @AfterEach
    void close() {
        signals.close();
    }

    @Test
    void aRangeClaimedWhileTheWorkerStopsIsHandedBackNotLeftWaitingForItsLease() throws Exception {
        PlanCodec codec = new PlanCodec(JsonMapper.builder().build());
        ScanPlan plan = new ScanPlanner(new ScanLimits(1_000_000, 64, 4096, Duration.ofMillis(200),
                Duration.ofMillis(10), Duration.ofSeconds(30), 1, 5, 1_000_000), TargetPolicy.loopback(),
                name -> Mono.just(List.of()))
                .plan(new ScanRequest("127.0.0.1", "1-100", "8", "200ms", "0", null, "open", "sequential", "42", "off"))
                .block();
        Sinks.One<ShardStore.Claim> answer = Sinks.one();
        HeldBackStore store = new HeldBackStore(answer.asMono());
        // Probes that never answer: the range stays at its first position until it is stopped.
        Prober silent = new Prober() {
            @Override
            public int lanes() {
                return 1;
            }

            @Override
            public Mono<ProbeOutcome> probe(int lane, InetSocketAddress address, Duration timeout) {
                return Mono.never();
            }
        };
        Scanner scanner = new Scanner(silent, Duration.ofSeconds(1));
        ClusterScans cluster = new ClusterScans(store, scanner, PROPERTIES, codec, Duration.ofMinutes(1),
                Clock.systemUTC());
        worker = new ShardWorker(store, scanner, codec, cluster, PROPERTIES, signals, ShardObserver.NONE,
                Clock.systemUTC(), Duration.ofSeconds(1), 100);
        worker.start();
        Await.until(() -> store.claimsAsked.get() == 1, "the worker asks the store for a range");

        CountDownLatch stopped = new CountDownLatch(1);
        worker.stop(stopped::countDown);
        // The store writes the claim, and answers only now, after the worker was told to stop.
        answer.tryEmitValue(new ShardStore.Claim("s1", 0, new IndexRange(0, 50), new Checkpoint(0, 0, 0, 0, 0), 1,
                codec.write(plan), null, EventData.Shard.CLAIMED));

        assertThat(stopped.await(10, TimeUnit.SECONDS)).as("the worker reports stopped").isTrue();
        assertThat(store.writes).as("the range it was given is handed back at its watermark")
                .anySatisfy(b -> {
                    assertThat(b.index()).isZero();
                    assertThat(b.end()).isEqualTo(ShardStore.End.HANDED_BACK);
                    assertThat(b.checkpoint().watermark()).isZero();
                });
        assertThat(store.claimsAsked).as("and it asked for no other").hasValue(1);
        assertThat(worker.holding()).isZero();
    }

    /** The first claim answers with what the test gives it; the others find nothing. Writes are recorded. */
    private static final class HeldBackStore implements ShardStore {
        final AtomicInteger claimsAsked = new AtomicInteger();
        final List<Batch> writes = new CopyOnWriteArrayList<>();
        private final Mono<Claim> first;

        HeldBackStore(Mono<Claim> first) {
            this.first = first;
        }

        @Override
        public boolean available() {
            return true;
        }

        @Override
        public Mono<Void> create(String id, ScanRequest request, Instant createdAt, String plan,
                List<IndexRange> ranges, EventData.Started started) {
            return Mono.empty();
        }

        @Override
        public Mono<Claim> claim(Instant now, Duration lease) {
            return Mono.defer(() -> claimsAsked.getAndIncrement() == 0 ? first : Mono.empty());
        }

        @Override
        public Mono<Claim> claimLeftOver(Instant now, Duration lease) {
            return Mono.empty();
        }

        @Override
        public Mono<Outcome> write(Batch batch, Instant now, Duration lease, Duration progressInterval) {
            writes.add(batch);
            return Mono.just(Outcome.WRITTEN);
        }

        @Override
        public Flux<EventData.Port> undetected(String scanId, int index) {
            return Flux.empty();
        }

        @Override
        public Mono<Long> renew(List<Held> held, Instant now, Duration lease) {
            return Mono.just((long) held.size());
        }

        @Override
        public Mono<Boolean> cancel(String id, String message, Instant now) {
            return Mono.just(false);
        }

        @Override
        public Mono<Integer> liveReplicas(Instant cutoff) {
            return Mono.just(1);
        }

        @Override
        public Mono<EventData.ShardCounts> summary(String id) {
            return Mono.empty();
        }
    }
}
