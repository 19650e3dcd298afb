package io.portflux.web.results;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import javax.management.ObjectName;

/**
 * LargeBodies downloads a large response to a file in pieces and measures how much the live heap of this JVM
 * (which runs the server) grew while the body was on its way.
 */
final class LargeBodies {

    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();
    /** Growth worth a look: the tests' bound is 4 MiB. */
    private static final long REPORT_ABOVE = 2L << 20;

    private LargeBodies() {}

    /**
     * Downloads {@code path} from the server on loopback port {@code port} into {@code file}; returns the largest
     * growth of the live heap (after a full GC) over the heap before the request, sampled after the first piece
     * and at a third and two thirds of the body (counted in pieces of 64 KiB).
     */
    static long download(int port, String path, Path file) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        long before = liveHeap();
        long grown = 0;
        HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(120)).build(), HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() != 200) {
            throw new AssertionError(path + " answered " + response.statusCode());
        }
        byte[] piece = new byte[64 * 1024];
        long pieces = 0;
        try (InputStream in = response.body(); OutputStream out = Files.newOutputStream(file)) {
            int n;
            while ((n = in.readNBytes(piece, 0, piece.length)) > 0) {
                out.write(piece, 0, n);
                pieces++;
                // A 65,535-row CSV is about 90 pieces: look after the first, then now and then.
                if (pieces == 1 || pieces % 30 == 0) {
                    long now = liveHeap() - before;
                    if (now > grown && now > REPORT_ABOVE) {
                        // Once, in a fresh full run, the CSV export grew by 12.9 MB where it grows by about 0.5 MB:
                        // what held it is printed, for the next time.
                        System.out.printf("live heap %d bytes above the start after piece %d; largest classes:%n%s%n",
                                now, pieces, largestClasses());
                    }
                    grown = Math.max(grown, now);
                }
            }
        }
        return grown;
    }

    // The class histogram's header and its 15 largest rows, from this JVM's own diagnostic command.
    private static String largestClasses() {
        try {
            Object text = ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                    new Object[] {new String[0]}, new String[] {String[].class.getName()});
            return String.join("\n", String.valueOf(text).lines().limit(18).toList());
        } catch (Exception e) {
            return "(no class histogram: " + e + ")";
        }
    }

    private static long liveHeap() {
        System.gc();
        return MEMORY.getHeapMemoryUsage().getUsed();
    }
}
