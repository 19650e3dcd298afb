package io.portflux.scan;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/** ProbeSpace maps a position in scan order to the (address, port) probed there, lazily. */
final class ProbeSpace {

    private final HostSpace hosts;
    private final int[] ports;
    private final Permutation order;

    ProbeSpace(ScanPlan plan) {
        this.hosts = plan.hosts();
        this.ports = plan.ports().toArray();
        long size = plan.total();
        this.order = plan.randomOrder() ? Permutation.random(size, plan.seed()) : Permutation.sequential(size);
    }

    long size() {
        return order.size();
    }

    InetSocketAddress addressAt(long position) {
        long index = order.at(position);
        InetAddress host = hosts.addressAt(index / ports.length);
        return new InetSocketAddress(host, ports[(int) (index % ports.length)]);
    }
}
