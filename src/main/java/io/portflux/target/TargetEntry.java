package io.portflux.target;

import inet.ipaddr.IPAddressSeqRange;
import java.util.Objects;

/** TargetEntry is one parsed entry of the {@code targets} parameter: a host name or an address block. */
public sealed interface TargetEntry {

    /** The entry as the client wrote it, trimmed and without the {@code !} of an exclusion. */
    String spec();

    /** A host name still to be resolved; {@code name} is RFC 1123 syntax and may end with a dot. */
    record Host(String spec, String name) implements TargetEntry {
        public Host {
            Objects.requireNonNull(spec, "spec");
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("blank host name");
            }
        }
    }

    /**
     * A contiguous run of addresses of one IP version: a single address, a CIDR block or an IPv4
     * range.
     */
    record Block(String spec, IPAddressSeqRange range) implements TargetEntry {
        public Block {
            Objects.requireNonNull(spec, "spec");
            Objects.requireNonNull(range, "range");
        }
    }
}
