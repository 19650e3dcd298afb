package io.portflux.port;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * ServiceNames maps a TCP port to its well-known service name, e.g. 22 to {@code ssh}.
 *
 * <p>The table is {@code service-names.txt}: Debian's /etc/services (IANA) for tcp, filled in from
 * nmap 7.93's nmap-services where /etc/services names nothing (see that file's header).
 */
public final class ServiceNames {

    static final String RESOURCE = "service-names.txt";

    private ServiceNames() {}

    /**
     * The well-known service name of TCP {@code port}, if there is one.
     *
     * @throws IllegalArgumentException unless {@code 1 <= port <= 65535}
     */
    public static Optional<String> of(int port) {
        return Optional.ofNullable(Data.NAMES[PortList.checkedPort(port)]);
    }

    /** Holds the parsed resource; loaded on first use. */
    private static final class Data {
        private static final String[] NAMES = new String[PortList.MAX_PORT + 1];

        static {
            try (InputStream in = ServiceNames.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("missing resource " + RESOURCE);
                }
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
                String line;
                while ((line = reader.readLine()) != null) {
                    if (line.isBlank() || line.startsWith("#")) {
                        continue;
                    }
                    int tab = line.indexOf('\t');
                    if (tab < 0) {
                        throw new IllegalStateException(RESOURCE + ": no tab in line '" + line + "'");
                    }
                    int port = PortList.checkedPort(Integer.parseInt(line.substring(0, tab)));
                    NAMES[port] = line.substring(tab + 1).strip();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
