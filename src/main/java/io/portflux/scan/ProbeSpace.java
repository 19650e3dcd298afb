package io.portflux.scan;

import io.portflux.scan.space.HostSpace;
import io.portflux.scan.space.Permutation;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * ProbeSpace maps a position in scan order to the (address, port) probed there, lazily. One
 * instance serves one lane (one thread): it keeps the last host's address to reuse it.
 */
public final class ProbeSpace {

    private final HostSpace hosts;
    private final int[] ports;
    private final Permutation order;
    private long lastHostIndex = -1;
    private InetAddress lastHost;

    public ProbeSpace(ScanPlan plan) {
        this.hosts = plan.hosts();
        this.ports = plan.ports().toArray();
        long size = plan.total();
        this.order = plan.randomOrder() ? Permutation.random(size, plan.seed()) : Permutation.sequential(size);
    }

    public long size() {
        return order.size();
    }

    public InetSocketAddress addressAt(long position) {
        long index = order.at(position);
        long hostIndex = index / ports.length;
        if (hostIndex != lastHostIndex) {
            lastHost = hosts.addressAt(hostIndex);
            lastHostIndex = hostIndex;
        }
        return new InetSocketAddress(lastHost, ports[(int) (index % ports.length)]);
    }
}
