package io.portflux.target;

import inet.ipaddr.AddressStringException;
import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressSeqRange;
import inet.ipaddr.ipv4.IPv4Address;
import io.portflux.input.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * TargetSpec is the parsed {@code targets} parameter: the entries to scan and the entries excluded
 * from them.
 *
 * <p>Entries are comma-separated. Each is a host name, an IPv4 or IPv6 address (IPv6 optionally in
 * brackets), a CIDR block, or an IPv4 range ({@code 127.0.0.1-127.0.0.20} or {@code 127.0.0.1-20}).
 * A leading {@code !} excludes the entry. Zone ids ({@code fe80::1%eth0}) are refused. Parsing is
 * purely syntactic: names are not resolved.
 */
public record TargetSpec(List<TargetEntry> includes, List<TargetEntry> excludes) {

    static final String FIELD = "targets";

    private static final int MAX_NAME_LENGTH = 253;
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    private static final Pattern NUMERIC_FORM = Pattern.compile("[0-9./-]+");
    private static final Pattern NUMERIC_LABEL = Pattern.compile("[0-9]+|0[xX][0-9A-Fa-f]*");
    private static final Pattern OCTET = Pattern.compile("0|[1-9][0-9]{0,2}");
    private static final Pattern BRACKETED = Pattern.compile("\\[([^\\[\\]]+)](/[0-9]+)?");
    // host:port, 127.0.0.1:22 or [::1]:8080; a bare IPv6 address never has a single colon after a
    // colon-free head, so this does not catch one.
    private static final Pattern HOST_PORT = Pattern.compile("(\\[[^\\[\\]]+]|[^:\\[\\]]+):([0-9]{1,5})");
    private static final Pattern DOTTED_QUAD = Pattern.compile("([0-9]+)\\.([0-9]+)\\.([0-9]+)\\.([0-9]+)(?:/([0-9]+))?");
    private static final Pattern PREFIX_SUFFIX = Pattern.compile(".*/([0-9]+)");
    private static final String DOTTED_QUAD_HINT =
            "write IPv4 as four decimal octets without leading zeros, e.g. 127.0.0.1";

    public TargetSpec {
        includes = List.copyOf(includes);
        excludes = List.copyOf(excludes);
        if (includes.isEmpty()) {
            throw new IllegalArgumentException("at least one included target is required");
        }
    }

    /**
     * Parses the {@code targets} parameter.
     *
     * @throws InvalidInputException naming field {@code targets} and the offending entry
     */
    public static TargetSpec parse(String targets) {
        if (targets == null || targets.isBlank()) {
            throw new InvalidInputException(FIELD, targets, "at least one target is required");
        }
        List<TargetEntry> includes = new ArrayList<>();
        List<TargetEntry> excludes = new ArrayList<>();
        for (String raw : targets.split(",", -1)) {
            String entry = raw.strip();
            if (entry.isEmpty()) {
                continue;
            }
            if (entry.startsWith("!")) {
                String excluded = entry.substring(1).strip();
                if (excluded.isEmpty()) {
                    throw new InvalidInputException(FIELD, entry, "an exclusion '!' must be followed by a target");
                }
                excludes.add(parseEntry(entry, excluded));
            } else {
                includes.add(parseEntry(entry, entry));
            }
        }
        if (includes.isEmpty()) {
            throw new InvalidInputException(
                    FIELD, targets, "at least one target that is not an exclusion ('!') is required");
        }
        return new TargetSpec(includes, excludes);
    }

    /**
     * Parses one entry (without its {@code !}).
     *
     * @throws InvalidInputException naming field {@code targets} and the entry
     */
    public static TargetEntry parseEntry(String entry) {
        Objects.requireNonNull(entry, "entry");
        return parseEntry(entry, entry);
    }

    /** Parses {@code entry}; errors report {@code written}, the entry as the client wrote it. */
    private static TargetEntry parseEntry(String written, String entry) {
        if (entry.indexOf('%') >= 0) {
            // A zone id only makes sense on a link-local or multicast address, both always denied; and
            // the scan connects by address bytes, so a zone would be silently dropped.
            throw new InvalidInputException(FIELD, written,
                    "zone ids (fe80::1%eth0) are not accepted: scoped addresses are link-local, which is never scanned");
        }
        if (entry.contains("://")) {
            throw new InvalidInputException(FIELD, written,
                    "a URL is not a target: give the host name or address alone, and its port in 'ports'");
        }
        var hostPort = HOST_PORT.matcher(entry);
        if (hostPort.matches()) {
            throw new InvalidInputException(FIELD, written, "host:port is not a target: ports go in 'ports', e.g. targets="
                    + hostPort.group(1) + "&ports=" + hostPort.group(2));
        }
        if (entry.startsWith("[")) {
            return bracketedIpv6(written, entry);
        }
        if (entry.indexOf(':') >= 0) {
            return ipv6(written, entry, entry);
        }
        if (NUMERIC_FORM.matcher(entry).matches()) {
            return entry.indexOf('-') >= 0 ? ipv4Range(written, entry) : ipv4(written, entry);
        }
        if (entry.indexOf('/') >= 0) {
            throw new InvalidInputException(FIELD, written, "not a valid CIDR block; " + DOTTED_QUAD_HINT);
        }
        return hostName(written, entry);
    }

    private static TargetEntry bracketedIpv6(String written, String entry) {
        var matcher = BRACKETED.matcher(entry);
        if (!matcher.matches()) {
            throw new InvalidInputException(FIELD, written, "a bracketed entry must be an IPv6 address such as [::1]");
        }
        String prefix = matcher.group(2) == null ? "" : matcher.group(2);
        return ipv6(written, entry, matcher.group(1) + prefix);
    }

    private static TargetEntry ipv6(String written, String entry, String literal) {
        if (literal.indexOf('-') >= 0) {
            throw new InvalidInputException(FIELD, written, "IPv6 ranges are not supported; use CIDR notation such as ::1/128");
        }
        IPAddress address;
        try {
            address = AddressSyntax.parse(literal);
        } catch (AddressStringException e) {
            var prefix = PREFIX_SUFFIX.matcher(literal);
            if (prefix.matches() && isDecimalAbove(prefix.group(1), 128)) {
                throw new InvalidInputException(FIELD, written, "/" + prefix.group(1)
                        + " is not an IPv6 prefix length: IPv6 blocks are /0 to /128, e.g. fd00::/64");
            }
            throw new InvalidInputException(FIELD, written, "not a valid IPv6 address or CIDR block");
        }
        if (!address.isIPv6()) {
            throw new InvalidInputException(FIELD, written, "not a valid IPv6 address or CIDR block");
        }
        return new TargetEntry.Block(entry, address.toSequentialRange());
    }

    private static TargetEntry ipv4(String written, String entry) {
        return new TargetEntry.Block(entry, strictIpv4(written, entry).toSequentialRange());
    }

    private static TargetEntry ipv4Range(String written, String entry) {
        int dash = entry.indexOf('-');
        if (dash != entry.lastIndexOf('-') || entry.indexOf('/') >= 0) {
            throw new InvalidInputException(
                    FIELD, written, "an IPv4 range is start-end, e.g. 127.0.0.1-127.0.0.20 or 127.0.0.1-20");
        }
        String startText = entry.substring(0, dash);
        String endText = entry.substring(dash + 1);
        IPAddress start = strictIpv4(written, startText);
        IPAddress end;
        if (endText.indexOf('.') >= 0) {
            end = strictIpv4(written, endText);
        } else {
            if (!OCTET.matcher(endText).matches() || Integer.parseInt(endText) > 255) {
                throw new InvalidInputException(
                        FIELD, written, "the short range end must be a last octet 0-255, e.g. 127.0.0.1-20");
            }
            byte[] bytes = start.getBytes();
            bytes[3] = (byte) Integer.parseInt(endText);
            end = new IPv4Address(bytes);
        }
        if (start.getValue().compareTo(end.getValue()) > 0) {
            throw new InvalidInputException(FIELD, written, "the range start is after its end");
        }
        IPAddressSeqRange range = start.toSequentialRange(end);
        return new TargetEntry.Block(entry, range);
    }

    private static IPAddress strictIpv4(String written, String text) {
        IPAddress address;
        try {
            address = AddressSyntax.parse(text);
        } catch (AddressStringException e) {
            throw new InvalidInputException(FIELD, written, whyNotIpv4(text));
        }
        if (!address.isIPv4()) {
            throw new InvalidInputException(FIELD, written, "not a valid IPv4 address; " + DOTTED_QUAD_HINT);
        }
        return address;
    }

    /** Says what is wrong with a dotted quad that does not parse: an octet or a prefix length out of range, or its form. */
    private static String whyNotIpv4(String text) {
        var quad = DOTTED_QUAD.matcher(text);
        if (quad.matches()) {
            for (int i = 1; i <= 4; i++) {
                if (isDecimalAbove(quad.group(i), 255)) {
                    return "octet " + quad.group(i) + " is more than 255: each of the four octets is 0-255";
                }
            }
            String prefix = quad.group(5);
            if (prefix != null && isDecimalAbove(prefix, 32)) {
                return "/" + prefix + " is not an IPv4 prefix length: IPv4 blocks are /0 to /32, e.g. 127.0.0.0/24";
            }
        }
        return "not a valid IPv4 address or CIDR block (ambiguous legacy forms such as 127.1 or 0177.0.0.1 are refused); "
                + DOTTED_QUAD_HINT;
    }

    /** True for a plain decimal (no leading zero, at most five digits, so it cannot overflow) above {@code max}. */
    private static boolean isDecimalAbove(String digits, int max) {
        if (digits.length() > 1 && digits.charAt(0) == '0') {
            return false;
        }
        return digits.length() > 5 || Integer.parseInt(digits) > max;
    }

    private static TargetEntry hostName(String written, String entry) {
        String name = entry.endsWith(".") ? entry.substring(0, entry.length() - 1) : entry;
        if (name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
            throw new InvalidInputException(FIELD, written, "not a valid host name (1-253 characters)");
        }
        String[] labels = name.split("\\.", -1);
        for (String label : labels) {
            if (!LABEL.matcher(label).matches()) {
                throw new InvalidInputException(
                        FIELD,
                        written,
                        "not a valid host name: labels are 1-63 letters, digits or hyphens, not starting or ending with a hyphen");
            }
        }
        // A name whose last label is numeric (or hex such as 0x7f000001) is a legacy IPv4 spelling that
        // resolvers would turn into an address; no real top-level domain looks like that.
        if (NUMERIC_LABEL.matcher(labels[labels.length - 1]).matches()) {
            throw new InvalidInputException(FIELD, written, "ambiguous IPv4 spelling; " + DOTTED_QUAD_HINT);
        }
        return new TargetEntry.Host(entry, entry.toLowerCase(Locale.ROOT));
    }
}
