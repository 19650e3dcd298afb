package io.portflux.results;

import inet.ipaddr.IPAddressSeqRange;
import inet.ipaddr.IPAddressString;
import io.portflux.port.PortList;
import io.portflux.scan.ScanStatus;
import io.portflux.store.StoredScan;
import io.portflux.target.ResolvedTarget;
import io.portflux.target.TargetEntry;
import io.portflux.target.TargetSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * ScanScope is what a stored scan probed, as its request and its {@code started} event say: the ports, the
 * address blocks of its targets less the excluded blocks, and whether an unstored port means "not open".
 *
 * <p>A {@code report=open} scan stores only its open ports: once it has completed, a probed port without a row
 * was closed or filtered, and which of the two is unknown. A scan that did not complete, or a {@code report=all}
 * scan without a row for a port, says nothing about that port. An excluded host name is not known after the
 * fact (only excluded addresses and blocks are), so its address counts as probed.
 *
 * @param reportAll whether the scan stored every port's verdict
 */
public record ScanScope(StoredScan scan, PortList ports, List<IPAddressSeqRange> includes,
        List<IPAddressSeqRange> excludes, boolean reportAll) {

    /** The state of a probed port that a completed {@code report=open} scan did not store. */
    public static final String NOT_OPEN = "closed|filtered";

    public ScanScope {
        Objects.requireNonNull(scan, "scan");
        Objects.requireNonNull(ports, "ports");
        includes = List.copyOf(includes);
        excludes = List.copyOf(excludes);
    }

    /** The scope of {@code scan}, from its stored request and targets. */
    public static ScanScope of(StoredScan scan) {
        PortList ports = PortList.parse(scan.request().ports());
        List<IPAddressSeqRange> includes = new ArrayList<>();
        for (ResolvedTarget target : scan.targets()) {
            if (target.ip() != null && TargetSpec.parseEntry(target.ip()) instanceof TargetEntry.Block block) {
                includes.add(block.range());
            }
        }
        List<IPAddressSeqRange> excludes = new ArrayList<>();
        String targets = scan.request().targets();
        if (targets != null) {
            for (TargetEntry entry : TargetSpec.parse(targets).excludes()) {
                if (entry instanceof TargetEntry.Block block) {
                    excludes.add(block.range());
                }
            }
        }
        return new ScanScope(scan, ports, includes, excludes, "all".equals(scan.request().report()));
    }

    /** Whether the scan probed port {@code port} of address {@code ip}. */
    public boolean probed(String ip, int port) {
        return ports.contains(port) && probed(ip);
    }

    /** Whether the scan probed address {@code ip}. */
    public boolean probed(String ip) {
        var address = new IPAddressString(ip).getAddress();
        if (address == null) {
            return false;
        }
        return includes.stream().anyMatch(r -> r.contains(address)) && excludes.stream().noneMatch(r -> r.contains(address));
    }

    /**
     * The state a probed port without a stored row had: {@link #NOT_OPEN} for a completed {@code report=open}
     * scan, else unknown (empty).
     */
    public Optional<String> unstoredState() {
        return !reportAll && scan.status() == ScanStatus.COMPLETED ? Optional.of(NOT_OPEN) : Optional.empty();
    }

    /** Hosts probed: the scan's probes over its ports (0 when it never started). */
    public long hosts() {
        return ports.size() == 0 ? 0 : scan.total() / ports.size();
    }

    /** The host name each address was given by, for the targets that were names. */
    public Map<String, String> hostNames() {
        return scan.targets().stream().filter(t -> t.host() != null && t.ip() != null)
                .collect(Collectors.toMap(ResolvedTarget::ip, ResolvedTarget::host, (a, b) -> a));
    }

    /** The ports this scope probed and {@code other} did not, in compact form, or null when there are none. */
    public @Nullable String portsNotIn(ScanScope other) {
        List<Integer> only = new ArrayList<>();
        for (int port : ports.toArray()) {
            if (!other.ports.contains(port)) {
                only.add(port);
            }
        }
        return only.isEmpty() ? null : PortList.of(only.stream().mapToInt(Integer::intValue).toArray()).toString();
    }
}
