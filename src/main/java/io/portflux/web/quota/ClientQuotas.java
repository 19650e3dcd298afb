package io.portflux.web.quota;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.portflux.scan.ScanPlan;
import io.portflux.scan.ScanTooLargeException;
import java.math.BigInteger;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * ClientQuotas admits new scans per client: at most so many running at once and so many started
 * per minute (a Bucket4j token bucket per client), caps a scan's probes, and stops a scan that
 * runs past its duration limit.
 */
@Component
public class ClientQuotas {

    /** Most clients whose buckets are kept; the least recently seen bucket goes first past it. */
    static final int MAX_TRACKED_CLIENTS = 10_000;

    /** When a running scan will end is unknown here; a few seconds keeps retries from hammering. */
    static final Duration CONCURRENT_RETRY_AFTER = Duration.ofSeconds(5);

    private final QuotaProperties properties;
    private final Map<String, Integer> running = new ConcurrentHashMap<>();
    private final Map<String, Bucket> buckets = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Bucket> eldest) {
            return size() > MAX_TRACKED_CLIENTS;
        }
    };

    public ClientQuotas(QuotaProperties properties) {
        this.properties = properties;
    }

    /**
     * Counts a new scan of {@code client} against its quotas, or throws
     * {@link QuotaExceededException}. The returned reservation holds a running-scan place until released.
     */
    public Reservation admit(String client) {
        int max = properties.maxConcurrentScansPerClient();
        if (max > 0) {
            boolean[] full = {false};
            running.compute(client, (k, n) -> {
                int now = n == null ? 0 : n;
                full[0] = now >= max;
                return full[0] ? n : Integer.valueOf(now + 1);
            });
            if (full[0]) {
                throw new QuotaExceededException("max-concurrent-scans-per-client",
                        "this client already runs " + max + " scans, the most allowed at once; wait for one to end or cancel one",
                        CONCURRENT_RETRY_AFTER);
            }
        }
        Reservation lease = max > 0
                ? new Reservation(() -> running.computeIfPresent(client, (k, n) -> n <= 1 ? null : n - 1))
                : Reservation.none();
        int perMinute = properties.scansPerMinute();
        if (perMinute > 0) {
            ConsumptionProbe probe = bucket(client, perMinute).tryConsumeAndReturnRemaining(1);
            if (!probe.isConsumed()) {
                lease.release();
                long nanos = probe.getNanosToWaitForRefill();
                throw new QuotaExceededException("scans-per-minute",
                        "this client may start " + perMinute + " scans per minute and has used them up",
                        Duration.ofNanos(nanos));
            }
        }
        return lease;
    }

    /** Refuses, with a 413, a plan over {@code portflux.quotas.max-probes-per-scan}. */
    public void checkProbes(ScanPlan plan) {
        long max = properties.maxProbesPerScan();
        if (max > 0 && plan.total() > max) {
            throw new ScanTooLargeException(BigInteger.valueOf(plan.total()), max, plan.request().targets(),
                    plan.request().ports());
        }
    }

    /** {@code stop}, or the duration limit's message once the scan has run that long, whichever comes first. */
    public Mono<String> withDurationLimit(Mono<String> stop) {
        Duration limit = properties.maxScanDuration();
        if (limit.isZero()) {
            return stop;
        }
        return Mono.firstWithValue(stop,
                Mono.delay(limit).thenReturn("scan exceeded its duration limit of " + describe(limit)));
    }

    /** Scans of {@code client} counted as running now. */
    int running(String client) {
        return running.getOrDefault(client, 0);
    }

    private Bucket bucket(String client, int perMinute) {
        synchronized (buckets) {
            return buckets.computeIfAbsent(client, k -> Bucket.builder()
                    .addLimit(Bandwidth.builder().capacity(perMinute).refillGreedy(perMinute, Duration.ofMinutes(1)).build())
                    .build());
        }
    }

    /** A duration the way the properties are written: 300ms, 45s, 10m, 2h. */
    static String describe(Duration d) {
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }
}
