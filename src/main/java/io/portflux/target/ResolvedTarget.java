package io.portflux.target;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * ResolvedTarget is one {@code targets} entry as the scan understood it.
 *
 * @param spec the entry as given
 * @param host the host name, when the entry is a name
 * @param ip the address or block scanned for this entry; null when the name did not resolve
 * @param otherAddresses further addresses of a name that are not scanned (as nmap does)
 * @param error why the entry is not scanned, e.g. that the name does not resolve
 */
public record ResolvedTarget(
        String spec,
        @Nullable String host,
        @Nullable String ip,
        @Nullable List<String> otherAddresses,
        @Nullable String error) {

    public ResolvedTarget {
        Objects.requireNonNull(spec, "spec");
        otherAddresses = otherAddresses == null ? List.of() : List.copyOf(otherAddresses);
    }
}
