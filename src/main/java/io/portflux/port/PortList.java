package io.portflux.port;

import io.portflux.input.InvalidInputException;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * PortList is the parsed {@code ports} parameter: distinct TCP ports in ascending order.
 *
 * <p>Entries are comma-separated: {@code 80}, {@code 1-1024}, or a {@link Preset} such as {@code all},
 * {@code top-1000} or {@code kubernetes}. A missing or blank parameter means {@code top-1000}; an empty
 * entry ({@code 80,}, {@code ,,}) is an error, as any other bad entry is.
 */
public final class PortList {

    public static final String FIELD = "ports";
    static final int MIN_PORT = 1;
    static final int MAX_PORT = 65535;
    /** The keyword used when the parameter is missing. */
    public static final String DEFAULT = "top-1000";

    private static final int MAX_DIGITS = 5;

    private final int[] ports;

    private PortList(int[] sortedDistinct) {
        this.ports = sortedDistinct;
    }

    /**
     * Parses the {@code ports} parameter; null or blank gives {@code top-1000}.
     *
     * @throws InvalidInputException naming field {@code ports} and the offending entry
     */
    public static PortList parse(@Nullable String ports) {
        String text = ports == null || ports.isBlank() ? DEFAULT : ports;
        BitSet set = new BitSet(MAX_PORT + 1);
        for (String raw : text.split(",", -1)) {
            String entry = raw.strip();
            if (entry.isEmpty()) {
                throw new InvalidInputException(FIELD, ports,
                        "has an empty entry: give ports, ranges or presets separated by single commas");
            }
            add(set, entry);
        }
        if (set.isEmpty()) {
            throw new InvalidInputException(FIELD, ports, "at least one port is required");
        }
        return new PortList(set.stream().toArray());
    }

    /**
     * A list of the given ports, deduplicated and sorted.
     *
     * @throws IllegalArgumentException for an empty list or a port outside 1-65535
     */
    public static PortList of(int... ports) {
        Objects.requireNonNull(ports, "ports");
        if (ports.length == 0) {
            throw new IllegalArgumentException("at least one port is required");
        }
        return new PortList(Arrays.stream(ports).map(PortList::checkedPort).sorted().distinct().toArray());
    }

    private static void add(BitSet set, String entry) {
        Preset.named(entry).ifPresentOrElse(preset -> preset.addTo(set), () -> addNumeric(set, entry));
    }

    private static void addNumeric(BitSet set, String entry) {
        int dash = entry.indexOf('-');
        if (dash < 0) {
            set.set(port(entry, entry));
            return;
        }
        if (dash == 0 || dash == entry.length() - 1 || dash != entry.lastIndexOf('-')) {
            throw new InvalidInputException(
                    FIELD, entry, "a port range is start-end with both ends given, e.g. 1-1024");
        }
        int start = port(entry, entry.substring(0, dash).strip());
        int end = port(entry, entry.substring(dash + 1).strip());
        if (start > end) {
            throw new InvalidInputException(FIELD, entry, "the range start is after its end");
        }
        set.set(start, end + 1);
    }

    private static int port(String entry, String text) {
        if (text.isEmpty() || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new InvalidInputException(
                    FIELD,
                    entry,
                    "not a port: use a number 1-65535, a range such as 1-1024, or a preset: " + Preset.keywords());
        }
        if (text.length() > MAX_DIGITS || Integer.parseInt(text) < MIN_PORT || Integer.parseInt(text) > MAX_PORT) {
            throw new InvalidInputException(FIELD, entry, "port out of range 1-65535");
        }
        return Integer.parseInt(text);
    }

    /** Returns {@code port} when it is a valid TCP port, for data loaded from resources. */
    static int checkedPort(int port) {
        if (port < MIN_PORT || port > MAX_PORT) {
            throw new IllegalArgumentException("port out of range 1-65535: " + port);
        }
        return port;
    }

    /** Number of distinct ports. */
    public int size() {
        return ports.length;
    }

    /**
     * The port at {@code index} in ascending order.
     *
     * @throws IndexOutOfBoundsException unless {@code 0 <= index < size()}
     */
    public int portAt(int index) {
        return ports[Objects.checkIndex(index, ports.length)];
    }

    /** True when {@code port} is in the list. */
    public boolean contains(int port) {
        return Arrays.binarySearch(ports, port) >= 0;
    }

    /** A copy of the ports in ascending order. */
    public int[] toArray() {
        return ports.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof PortList that && Arrays.equals(ports, that.ports);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(ports);
    }

    /** Compact form with runs collapsed, e.g. {@code 22,80,8000-8100}. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        int i = 0;
        while (i < ports.length) {
            int j = i;
            while (j + 1 < ports.length && ports[j + 1] == ports[j] + 1) {
                j++;
            }
            if (text.length() > 0) {
                text.append(',');
            }
            text.append(ports[i]);
            if (j > i) {
                text.append('-').append(ports[j]);
            }
            i = j + 1;
        }
        return text.toString();
    }
}
