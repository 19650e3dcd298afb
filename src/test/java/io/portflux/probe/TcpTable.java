package io.portflux.probe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** TcpTable reads the kernel's TCP socket table to find sockets left in TIME_WAIT. */
final class TcpTable {

    private static final String TIME_WAIT = "06";

    private TcpTable() {}

    /** Local and remote ports (decimal) of sockets in TIME_WAIT, or null when the table is unreadable. */
    static List<String> timeWaitPorts() {
        List<String> ports = new ArrayList<>();
        boolean readAny = false;
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            List<String> lines;
            try {
                lines = Files.readAllLines(Path.of(table));
            } catch (IOException | RuntimeException e) {
                continue;
            }
            readAny = true;
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 3 && f[3].equals(TIME_WAIT)) {
                    ports.add(Integer.toString(Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16)));
                    ports.add(Integer.toString(Integer.parseInt(f[2].substring(f[2].indexOf(':') + 1), 16)));
                }
            }
        }
        return readAny ? ports : null;
    }
}
