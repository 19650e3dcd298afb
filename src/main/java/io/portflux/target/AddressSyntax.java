package io.portflux.target;

import inet.ipaddr.AddressStringException;
import inet.ipaddr.AddressStringParameters.RangeParameters;
import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressSeqRange;
import inet.ipaddr.IPAddressString;
import inet.ipaddr.IPAddressStringParameters;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * AddressSyntax is the strict IP literal grammar shared by target parsing and the allow-list.
 *
 * <p>Only unambiguous spellings pass: four dotted decimal IPv4 octets without leading zeros, and
 * standard IPv6 text (optionally with an embedded dotted IPv4 tail). Legacy inet_aton forms such as
 * {@code 127.1}, {@code 0x7f000001} or {@code 0177.0.0.1}, masks, wildcards, zones and binary or
 * base85 forms are rejected, because resolvers disagree on what they mean.
 */
public final class AddressSyntax {

    private static final IPAddressStringParameters STRICT = strictParameters();
    /**
     * The library's own leading-zero switch for prefix lengths also refuses a plain {@code /0}, so
     * leading zeros ({@code /024}) are refused here instead.
     */
    private static final Pattern PREFIX_LEADING_ZERO = Pattern.compile("/0[0-9]");

    /** Orders ranges IPv4 before IPv6, then by lowest address. */
    public static final Comparator<IPAddressSeqRange> RANGE_ORDER =
            Comparator.comparing((IPAddressSeqRange r) -> r.getLower().isIPv4() ? 0 : 1)
                    .thenComparing(IPAddressSeqRange::getValue);

    private AddressSyntax() {}

    /**
     * Parses one IP address or CIDR block strictly. A prefix with host bits set (127.0.0.5/24)
     * denotes the whole block.
     *
     * @throws AddressStringException when the text is not a strict address or CIDR
     */
    static IPAddress parse(String text) throws AddressStringException {
        if (PREFIX_LEADING_ZERO.matcher(text).find()) {
            throw new AddressStringException(text + ": prefix length with a leading zero");
        }
        IPAddress address = new IPAddressString(text, STRICT).toAddress();
        if (address.isPrefixed()) {
            return address.toPrefixBlock();
        }
        return address;
    }

    /** Merges overlapping and adjacent ranges, per IP version, into a sorted disjoint list. */
    public static List<IPAddressSeqRange> merge(List<IPAddressSeqRange> ranges) {
        List<IPAddressSeqRange> v4 = new ArrayList<>();
        List<IPAddressSeqRange> v6 = new ArrayList<>();
        for (IPAddressSeqRange range : ranges) {
            (range.getLower().isIPv4() ? v4 : v6).add(range);
        }
        List<IPAddressSeqRange> merged = new ArrayList<>(v4.size() + v6.size());
        merged.addAll(join(v4));
        merged.addAll(join(v6));
        merged.sort(RANGE_ORDER);
        return merged;
    }

    private static List<IPAddressSeqRange> join(List<IPAddressSeqRange> sameVersion) {
        if (sameVersion.isEmpty()) {
            return List.of();
        }
        return Arrays.asList(IPAddressSeqRange.join(sameVersion.toArray(new IPAddressSeqRange[0])));
    }

    private static IPAddressStringParameters strictParameters() {
        IPAddressStringParameters.Builder builder =
                new IPAddressStringParameters.Builder()
                        .allowEmpty(false)
                        .allowAll(false)
                        .allowSingleSegment(false)
                        .allowMask(false)
                        .allowPrefixOnly(false)
                        .allowWildcardedSeparator(false)
                        .allow_inet_aton(false)
                        .setRangeOptions(RangeParameters.NO_RANGE);
        builder.getIPv4AddressParametersBuilder()
                .allow_inet_aton(false)
                .allow_inet_aton_hex(false)
                .allow_inet_aton_octal(false)
                .allow_inet_aton_joined_segments(false)
                .allow_inet_aton_leading_zeros(false)
                .allow_inet_aton_extraneous_digits(false)
                .allowBinary(false)
                .allowLeadingZeros(false)
                .allowUnlimitedLeadingZeros(false)
                .allowPrefixLengthLeadingZeros(true)
                .allowPrefixesBeyondAddressSize(false)
                .allowWildcardedSeparator(false)
                .setRangeOptions(RangeParameters.NO_RANGE);
        builder.getIPv6AddressParametersBuilder()
                .allowZone(false)
                .allowEmptyZone(false)
                .allowBase85(false)
                .allowBinary(false)
                .allow_mixed_inet_aton(false)
                .allowUnlimitedLeadingZeros(false)
                .allowPrefixLengthLeadingZeros(true)
                .allowPrefixesBeyondAddressSize(false)
                .allowWildcardedSeparator(false)
                .setRangeOptions(RangeParameters.NO_RANGE);
        return builder.toParams();
    }
}
