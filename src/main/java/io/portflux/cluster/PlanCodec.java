package io.portflux.cluster;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressSeqRange;
import inet.ipaddr.IPAddressString;
import io.portflux.port.PortList;
import io.portflux.scan.ScanPlan;
import io.portflux.scan.ScanRequest;
import io.portflux.scan.space.HostSpace;
import io.portflux.target.AddressText;
import io.portflux.target.ResolvedTarget;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

/**
 * PlanCodec writes a resolved {@link ScanPlan} as JSON for the scan's row, and reads it back on any replica: the
 * address ranges, the ports, the knobs and the seed, so that every replica walks the same permutation of the same
 * probe space, and none resolves a name again (a name could resolve to another address there).
 */
public final class PlanCodec {

    /** The stored form of a plan. */
    record Stored(ScanRequest request, List<ResolvedTarget> targets, List<List<String>> hosts,
            Map<String, String> hostNames, String ports, int concurrency, long timeoutMs, int retries,
            @Nullable Integer rate, boolean reportAll, boolean randomOrder, long seed, boolean detect) {}

    private final JsonMapper json;

    public PlanCodec(JsonMapper json) {
        this.json = json;
    }

    public String write(ScanPlan plan) {
        List<List<String>> hosts = new ArrayList<>();
        for (IPAddressSeqRange range : plan.hosts().ranges()) {
            hosts.add(List.of(range.getLower().toCanonicalString(), range.getUpper().toCanonicalString()));
        }
        Map<String, String> names = new LinkedHashMap<>();
        plan.hostNames().forEach((address, name) -> names.put(AddressText.of(address), name));
        return json.writeValueAsString(new Stored(plan.request(), plan.targets(), hosts, names, ranges(plan.ports()),
                plan.concurrency(), plan.timeout().toMillis(), plan.retries(), plan.rate(), plan.reportAll(),
                plan.randomOrder(), plan.seed(), plan.detect()));
    }

    public ScanPlan read(String text) {
        Stored s = json.readValue(text, Stored.class);
        List<IPAddressSeqRange> ranges = new ArrayList<>();
        for (List<String> pair : s.hosts()) {
            IPAddress lower = new IPAddressString(pair.get(0)).getAddress();
            IPAddress upper = new IPAddressString(pair.get(1)).getAddress();
            ranges.add(lower.spanWithRange(upper));
        }
        Map<InetAddress, String> names = new HashMap<>();
        s.hostNames().forEach((ip, name) -> names.put(new IPAddressString(ip).getAddress().toInetAddress(), name));
        return new ScanPlan(s.request(), s.targets(), HostSpace.of(ranges, List.of()), names, PortList.parse(s.ports()),
                new ScanPlan.Probing(s.concurrency(), Duration.ofMillis(s.timeoutMs()), s.retries(), s.rate(),
                        s.reportAll(), s.randomOrder(), s.seed(), s.detect()));
    }

    // "1-1024,8080": the ports as ranges, which PortList reads back as the same ascending list.
    private static String ranges(PortList ports) {
        int[] all = ports.toArray();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < all.length; i++) {
            int start = all[i];
            while (i + 1 < all.length && all[i + 1] == all[i] + 1) {
                i++;
            }
            if (text.length() > 0) {
                text.append(',');
            }
            text.append(start);
            if (all[i] != start) {
                text.append('-').append(all[i]);
            }
        }
        return text.toString();
    }
}
