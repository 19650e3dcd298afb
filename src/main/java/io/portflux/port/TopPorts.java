package io.portflux.port;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * TopPorts is the ranking of TCP ports by how often they are found open, behind {@code top-100}
 * and {@code top-1000}, and the cloud-native ports that ranking's first 1000 miss.
 *
 * <p>The ranking comes from {@code top-ports.txt}, derived from nmap 7.93's nmap-services
 * open-frequency data (see that file's header): {@code top-100} and {@code top-1000} are exactly the
 * sets {@code nmap --top-ports} scans.
 */
public final class TopPorts {

    static final String RESOURCE = "top-ports.txt";
    private static final String EXTRAS_MARKER = "#@cloud-native";

    private TopPorts() {}

    /** The 100 most often open ports, most common first. */
    public static int[] top100() {
        return Data.TOP_100.clone();
    }

    /** The 1000 most often open ports, most common first. */
    public static int[] top1000() {
        return Data.TOP_1000.clone();
    }

    /** The cloud-native ports that the top 1000 miss, less the kubernetes preset's ports. */
    public static int[] cloudNative() {
        return Data.CLOUD_NATIVE.clone();
    }

    /** Holds the parsed resource; loaded on first use. */
    private static final class Data {
        private static final int[] TOP_1000;
        private static final int[] TOP_100;
        private static final int[] CLOUD_NATIVE;

        static {
            List<Integer> ranked = new ArrayList<>();
            List<Integer> extras = new ArrayList<>();
            try (InputStream in = TopPorts.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("missing resource " + RESOURCE);
                }
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
                List<Integer> target = ranked;
                String line;
                while ((line = reader.readLine()) != null) {
                    if (line.startsWith(EXTRAS_MARKER)) {
                        target = extras;
                        continue;
                    }
                    int hash = line.indexOf('#');
                    String value = (hash >= 0 ? line.substring(0, hash) : line).strip();
                    if (!value.isEmpty()) {
                        target.add(PortList.checkedPort(Integer.parseInt(value)));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (ranked.size() < 1000) {
                throw new IllegalStateException(RESOURCE + " ranks only " + ranked.size() + " ports");
            }
            TOP_1000 = ranked.subList(0, 1000).stream().mapToInt(Integer::intValue).toArray();
            Set<Integer> cloudNative = new LinkedHashSet<>(extras);
            Arrays.stream(Preset.KUBERNETES.ports()).forEach(cloudNative::remove);
            CLOUD_NATIVE = cloudNative.stream().mapToInt(Integer::intValue).toArray();
            TOP_100 = ranked.subList(0, 100).stream().mapToInt(Integer::intValue).toArray();
        }
    }
}
