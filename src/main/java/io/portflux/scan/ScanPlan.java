package io.portflux.scan;

import io.portflux.port.PortList;
import io.portflux.scan.space.HostSpace;
import io.portflux.target.ResolvedTarget;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * ScanPlan is a validated, resolved scan: a lazy space of hosts × ports and how to probe it.
 *
 * @param request the parameters as the client sent them
 * @param targets the targets entries as understood, for the {@code started} event
 * @param hosts the addresses to scan (never materialised)
 * @param hostNames the name each resolved address was given by, for {@code port} events
 * @param ports the ports to scan on every host
 * @param probing how to probe them
 */
public record ScanPlan(
        ScanRequest request,
        List<ResolvedTarget> targets,
        HostSpace hosts,
        Map<InetAddress, String> hostNames,
        PortList ports,
        Probing probing) {

    /**
     * Probing is how a scan probes: the knobs of a request once validated.
     *
     * @param concurrency probes in flight for this scan
     * @param timeout per-attempt connect timeout
     * @param retries extra attempts for a probe that got no answer
     * @param rate most probes started per second, or null for no cap
     * @param reportAll whether closed and filtered ports get {@code port} events too
     * @param randomOrder whether probes go in a seeded pseudo-random order
     * @param seed the seed of that order
     * @param detect whether open ports get a service detection
     */
    public record Probing(int concurrency, Duration timeout, int retries, @Nullable Integer rate, boolean reportAll,
            boolean randomOrder, long seed, boolean detect) {

        /** Probing without service detection. */
        public Probing(int concurrency, Duration timeout, int retries, @Nullable Integer rate, boolean reportAll,
                boolean randomOrder, long seed) {
            this(concurrency, timeout, retries, rate, reportAll, randomOrder, seed, false);
        }

        public Probing {
            Objects.requireNonNull(timeout, "timeout");
            if (concurrency < 1) {
                throw new IllegalArgumentException("concurrency must be >= 1");
            }
            if (retries < 0) {
                throw new IllegalArgumentException("retries must be >= 0");
            }
            if (rate != null && rate < 1) {
                throw new IllegalArgumentException("rate must be >= 1");
            }
        }
    }

    public ScanPlan {
        Objects.requireNonNull(request, "request");
        targets = List.copyOf(targets);
        Objects.requireNonNull(hosts, "hosts");
        hostNames = Map.copyOf(hostNames);
        Objects.requireNonNull(ports, "ports");
        Objects.requireNonNull(probing, "probing");
        if (hosts.size().signum() == 0 || ports.size() == 0) {
            throw new IllegalArgumentException("a plan needs at least one probe");
        }
    }

    /** Number of probes (hosts × ports); the planner has already checked it against the limit. */
    public long total() {
        return hosts.size().longValueExact() * ports.size();
    }

    public int concurrency() {
        return probing.concurrency();
    }

    public Duration timeout() {
        return probing.timeout();
    }

    public int retries() {
        return probing.retries();
    }

    public @Nullable Integer rate() {
        return probing.rate();
    }

    public boolean reportAll() {
        return probing.reportAll();
    }

    public boolean randomOrder() {
        return probing.randomOrder();
    }

    public long seed() {
        return probing.seed();
    }

    public boolean detect() {
        return probing.detect();
    }

    /** The {@code order} wire value. */
    public String order() {
        return probing.randomOrder() ? "random" : "sequential";
    }

    /**
     * The {@code distribute} wire value: {@code auto} (the default), {@code on} or {@code off}. The planner
     * has checked it; whether the scan is shared by replicas is decided above the engine.
     */
    public String distribute() {
        String given = request.distribute();
        return given == null || given.isBlank() ? "auto" : given.trim().toLowerCase(java.util.Locale.ROOT);
    }

    /** The {@code report} wire value. */
    public String report() {
        return probing.reportAll() ? "all" : "open";
    }
}
