package io.portflux.scan;

import inet.ipaddr.IPAddressSeqRange;
import io.portflux.input.InvalidInputException;
import io.portflux.input.TimeoutSpec;
import io.portflux.port.PortList;
import io.portflux.scan.space.HostSpace;
import io.portflux.target.AddressBlocks;
import io.portflux.target.AddressText;
import io.portflux.target.HostResolver;
import io.portflux.target.ResolvedTarget;
import io.portflux.target.TargetEntry;
import io.portflux.target.TargetNotAllowedException;
import io.portflux.target.TargetPolicy;
import io.portflux.target.TargetSpec;
import java.math.BigInteger;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * ScanPlanner turns a {@link ScanRequest} into a {@link ScanPlan}, or rejects it.
 *
 * <p>Checks run in a fixed order so that a client sees the most basic problem first: parameter
 * syntax (400), then name resolution, then the target policy (403), then the size limit (413). No
 * probe is sent for a rejected request.
 *
 * <p>A name is resolved once, here. Every address it resolves to must pass the policy, so that the
 * decision does not hang on the order of the answers; the scan then connects to the first of those
 * checked addresses and never resolves the name again, so DNS rebinding cannot move it elsewhere.
 */
public final class ScanPlanner {

    private static final int RESOLVE_CONCURRENCY = 16;

    private final ScanLimits limits;
    private final TargetPolicy policy;
    private final HostResolver resolver;
    private final Supplier<Long> seeds;

    public ScanPlanner(ScanLimits limits, TargetPolicy policy, HostResolver resolver) {
        this(limits, policy, resolver, new SecureRandom()::nextLong);
    }

    ScanPlanner(ScanLimits limits, TargetPolicy policy, HostResolver resolver, Supplier<Long> seeds) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.resolver = Objects.requireNonNull(resolver, "resolver");
        this.seeds = Objects.requireNonNull(seeds, "seeds");
    }

    /** Validates and resolves {@code request}; errors are the exceptions named on this class. */
    public Mono<ScanPlan> plan(ScanRequest request) {
        return Mono.fromCallable(() -> parse(request))
                .flatMap(parsed -> resolveNames(parsed.targets()).map(names -> build(parsed, names)));
    }

    private record Parsed(ScanRequest request, TargetSpec targets, PortList ports, ScanPlan.Probing probing) {}

    private Parsed parse(ScanRequest r) {
        TargetSpec targets = TargetSpec.parse(r.targets());
        PortList ports = PortList.parse(r.ports());
        int concurrency = intParam("concurrency", r.concurrency(), limits.defaultConcurrency(), 1,
                limits.maxConcurrency());
        Duration timeout = timeout(r.timeout());
        int retries = intParam("retries", r.retries(), limits.defaultRetries(), 0, limits.maxRetries());
        Integer rate = blank(r.rate()) ? null : intParam("rate", r.rate(), 0, 1, limits.maxRate());
        boolean reportAll = choice("report", r.report(), "open", "all").equals("all");
        boolean random = choice("order", r.order(), "random", "sequential").equals("random");
        long seed = blank(r.seed()) ? seeds.get() : longParam("seed", r.seed());
        // A report=all scan lists every port; detection there is asked for, never assumed.
        boolean detect = blank(r.detect()) ? limits.detectByDefault() && !reportAll
                : choice("detect", r.detect(), "on", "off").equals("on");
        // Where the scan runs is decided above the engine; its syntax is checked here with the others.
        choice("distribute", r.distribute(), "auto", "on", "off");
        return new Parsed(r, targets, ports,
                new ScanPlan.Probing(concurrency, timeout, retries, rate, reportAll, random, seed, detect));
    }

    private Duration timeout(String value) {
        if (blank(value)) {
            return limits.defaultTimeout();
        }
        Duration timeout = TimeoutSpec.parse("timeout", value.trim());
        if (timeout.compareTo(limits.minTimeout()) < 0 || timeout.compareTo(limits.maxTimeout()) > 0) {
            throw new InvalidInputException("timeout", value,
                    "must lie between " + limits.minTimeout().toMillis() + "ms and "
                            + limits.maxTimeout().toMillis() + "ms");
        }
        return timeout;
    }

    private Mono<Map<String, List<InetAddress>>> resolveNames(TargetSpec targets) {
        List<String> names = new ArrayList<>();
        for (TargetEntry entry : concat(targets.includes(), targets.excludes())) {
            if (entry instanceof TargetEntry.Host host && !names.contains(host.name())) {
                names.add(host.name());
            }
        }
        return Flux.fromIterable(names)
                .flatMap(name -> resolver.resolve(name)
                                .onErrorReturn(List.of())
                                .map(addresses -> Map.entry(name, addresses)),
                        RESOLVE_CONCURRENCY)
                .collectMap(Map.Entry::getKey, Map.Entry::getValue);
    }

    private ScanPlan build(Parsed p, Map<String, List<InetAddress>> resolved) {
        List<ResolvedTarget> described = new ArrayList<>();
        List<IPAddressSeqRange> includes = new ArrayList<>();
        Map<InetAddress, String> hostNames = new HashMap<>();
        for (TargetEntry entry : p.targets().includes()) {
            if (entry instanceof TargetEntry.Block block) {
                policy.refusal(block.range()).ifPresent(why -> {
                    throw new TargetNotAllowedException(block.spec(), why);
                });
                includes.add(block.range());
                described.add(new ResolvedTarget(block.spec(), null, AddressText.of(block.range()), null, null));
            } else if (entry instanceof TargetEntry.Host host) {
                List<InetAddress> addresses = resolved.getOrDefault(host.name(), List.of());
                if (addresses.isEmpty()) {
                    described.add(new ResolvedTarget(host.spec(), host.name(), null, null, "does not resolve"));
                    continue;
                }
                for (InetAddress address : addresses) {
                    policy.refusal(address).ifPresent(why -> {
                        throw new TargetNotAllowedException(host.spec(),
                                "resolves to " + TargetPolicy.describe(AddressBlocks.range(address)) + ", which " + why);
                    });
                }
                InetAddress first = addresses.get(0);
                includes.add(AddressBlocks.range(first));
                hostNames.putIfAbsent(first, host.name());
                List<String> others = addresses.subList(1, addresses.size()).stream()
                        .map(AddressText::of).toList();
                described.add(new ResolvedTarget(host.spec(), host.name(), AddressText.of(first), others, null));
            }
        }
        policy.deniedPort(p.ports()).ifPresent(port -> {
            throw new TargetNotAllowedException(PortList.FIELD,
                    p.request().ports() == null ? PortList.DEFAULT : p.request().ports(),
                    "includes port " + port + ", which is never probed (portflux.ports.deny)");
        });
        List<IPAddressSeqRange> excludes = new ArrayList<>();
        for (TargetEntry entry : p.targets().excludes()) {
            if (entry instanceof TargetEntry.Block block) {
                excludes.add(block.range());
            } else if (entry instanceof TargetEntry.Host host) {
                resolved.getOrDefault(host.name(), List.of()).forEach(address -> excludes.add(AddressBlocks.range(address)));
            }
        }
        HostSpace hosts = HostSpace.of(includes, excludes);
        BigInteger probes = hosts.size().multiply(BigInteger.valueOf(p.ports().size()));
        if (probes.signum() == 0) {
            throw new InvalidInputException("targets", p.request().targets(), nothingToScan(described, includes));
        }
        if (probes.compareTo(BigInteger.valueOf(limits.maxProbes())) > 0) {
            throw new ScanTooLargeException(probes, limits.maxProbes(), p.request().targets(), p.request().ports());
        }
        return new ScanPlan(p.request(), described, hosts, hostNames, p.ports(), p.probing());
    }

    // Two different mistakes: a name that does not resolve (DNS, or a typo) and exclusions that
    // cover every included address (the spec itself).
    private static String nothingToScan(List<ResolvedTarget> described, List<IPAddressSeqRange> includes) {
        List<String> unresolved = described.stream().filter(t -> t.error() != null).map(ResolvedTarget::spec).toList();
        if (includes.isEmpty()) {
            return "no name resolved: " + String.join(", ", unresolved)
                    + (unresolved.size() == 1 ? " does" : " do") + " not resolve to an address (check the spelling and DNS)";
        }
        return "leaves nothing to scan: the '!' exclusions cover every included address"
                + (unresolved.isEmpty() ? "" : " (and " + String.join(", ", unresolved) + " did not resolve)");
    }

    private static List<TargetEntry> concat(List<TargetEntry> a, List<TargetEntry> b) {
        List<TargetEntry> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }

    private static int intParam(String field, String value, int fallback, int min, int max) {
        if (blank(value)) {
            return fallback;
        }
        long parsed;
        try {
            parsed = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new InvalidInputException(field, value, "must be a whole number");
        }
        if (parsed < min || parsed > max) {
            throw new InvalidInputException(field, value, "must lie between " + min + " and " + max);
        }
        return (int) parsed;
    }

    private static long longParam(String field, String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new InvalidInputException(field, value, "must be a 64-bit whole number");
        }
    }

    private static String choice(String field, String value, String fallback, String other, String third) {
        if (blank(value)) {
            return fallback;
        }
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.equals(fallback) || v.equals(other) || v.equals(third)) {
            return v;
        }
        throw new InvalidInputException(field, value, "must be '" + fallback + "', '" + other + "' or '" + third + "'");
    }

    private static String choice(String field, String value, String fallback, String other) {
        if (blank(value)) {
            return fallback;
        }
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.equals(fallback) || v.equals(other)) {
            return v;
        }
        throw new InvalidInputException(field, value, "must be '" + fallback + "' or '" + other + "'");
    }
}
