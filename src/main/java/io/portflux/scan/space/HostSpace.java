package io.portflux.scan.space;

import inet.ipaddr.IPAddressSeqRange;
import io.portflux.target.AddressSyntax;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * HostSpace is the lazy set of addresses a scan covers: included ranges, merged, minus excluded
 * ones, indexed in ascending order with IPv4 before IPv6.
 *
 * <p>Memory is proportional to the number of disjoint ranges, never to the number of addresses:
 * {@link #addressAt(long)} binary-searches a prefix sum of range sizes.
 */
public final class HostSpace {

    private final List<IPAddressSeqRange> ranges;
    /** Index of each range's first address; saturated at Long.MAX_VALUE, which no long index reaches. */
    private final long[] starts;
    private final byte[][] lowerBytes;
    private final BigInteger size;
    /** Number of addresses reachable through a long index: min(size, Long.MAX_VALUE). */
    private final long indexLimit;

    private HostSpace(List<IPAddressSeqRange> ranges) {
        this.ranges = List.copyOf(ranges);
        this.starts = new long[ranges.size()];
        this.lowerBytes = new byte[ranges.size()][];
        BigInteger total = BigInteger.ZERO;
        BigInteger longMax = BigInteger.valueOf(Long.MAX_VALUE);
        for (int i = 0; i < ranges.size(); i++) {
            starts[i] = total.compareTo(longMax) >= 0 ? Long.MAX_VALUE : total.longValueExact();
            lowerBytes[i] = ranges.get(i).getBytes();
            total = total.add(ranges.get(i).getCount());
        }
        this.size = total;
        this.indexLimit = total.compareTo(longMax) >= 0 ? Long.MAX_VALUE : total.longValueExact();
    }

    /**
     * Builds the set {@code union(includes) - union(excludes)}. Ranges of either IP version may be
     * mixed freely; the order of either list does not matter.
     */
    public static HostSpace of(List<IPAddressSeqRange> includes, List<IPAddressSeqRange> excludes) {
        Objects.requireNonNull(includes, "includes");
        Objects.requireNonNull(excludes, "excludes");
        List<IPAddressSeqRange> kept = AddressSyntax.merge(includes);
        List<IPAddressSeqRange> removed = AddressSyntax.merge(excludes);
        List<IPAddressSeqRange> result = new ArrayList<>(kept.size());
        for (IPAddressSeqRange include : kept) {
            List<IPAddressSeqRange> pieces = new ArrayList<>(List.of(include));
            for (IPAddressSeqRange exclude : removed) {
                if (exclude.getLower().isIPv4() != include.getLower().isIPv4() || !include.overlaps(exclude)) {
                    continue;
                }
                List<IPAddressSeqRange> next = new ArrayList<>(pieces.size() + 1);
                for (IPAddressSeqRange piece : pieces) {
                    IPAddressSeqRange[] rest = piece.subtract(exclude);
                    if (rest != null) {
                        next.addAll(Arrays.asList(rest));
                    }
                }
                pieces = next;
            }
            result.addAll(pieces);
        }
        result.sort(AddressSyntax.RANGE_ORDER);
        return new HostSpace(result);
    }

    /** Number of addresses; an IPv6 /64 alone holds 2^64, hence a BigInteger. */
    public BigInteger size() {
        return size;
    }

    /** True when no address is left, e.g. when exclusions cover every included address. */
    public boolean isEmpty() {
        return ranges.isEmpty();
    }

    /** The disjoint, non-adjacent ranges in index order (IPv4 first, then ascending). */
    public List<IPAddressSeqRange> ranges() {
        return ranges;
    }

    /**
     * The address at {@code index} in ascending order, IPv4 before IPv6. Builds the InetAddress from
     * bytes, so no name lookup happens.
     *
     * @throws IndexOutOfBoundsException unless {@code 0 <= index < size()}
     */
    public InetAddress addressAt(long index) {
        if (index < 0 || index >= indexLimit) {
            throw new IndexOutOfBoundsException("index " + index + " outside host space of size " + size);
        }
        int range = rangeOf(index);
        byte[] bytes = lowerBytes[range].clone();
        long offset = index - starts[range];
        for (int i = bytes.length - 1; i >= 0 && offset != 0; i--) {
            long sum = (bytes[i] & 0xffL) + (offset & 0xffL);
            bytes[i] = (byte) sum;
            offset = (offset >>> 8) + (sum >>> 8);
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("address of illegal length " + bytes.length, e);
        }
    }

    /** Largest i with starts[i] <= index; starts[0] is 0 and index is in bounds. */
    private int rangeOf(long index) {
        int low = 0;
        int high = starts.length - 1;
        while (low < high) {
            int mid = (low + high + 1) >>> 1;
            if (starts[mid] <= index) {
                low = mid;
            } else {
                high = mid - 1;
            }
        }
        return low;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof HostSpace that && ranges.equals(that.ranges);
    }

    @Override
    public int hashCode() {
        return ranges.hashCode();
    }

    @Override
    public String toString() {
        return "HostSpace" + ranges + " size=" + size;
    }
}
