package io.portflux.results;

import io.portflux.scan.ScanRequest;
import io.portflux.store.StoredScan;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** ResultText holds the wording and number formats that nmap's formats and the diff's text share. */
final class ResultText {

    /** What nmap's formats carry as the scanner's version. */
    static final String VERSION = "PortFlux";

    private static final DateTimeFormatter CTIME =
            DateTimeFormatter.ofPattern("EEE MMM d HH:mm:ss yyyy", Locale.ENGLISH).withZone(ZoneOffset.UTC);

    private ResultText() {}

    /** The scan's request as command-line-like arguments, e.g. {@code portflux targets=127.0.0.1 ports=1-1024}. */
    static String args(StoredScan scan) {
        ScanRequest r = scan.request();
        StringBuilder out = new StringBuilder("portflux");
        append(out, "targets", r.targets());
        append(out, "ports", r.ports());
        append(out, "report", r.report());
        append(out, "detect", r.detect());
        return out.toString();
    }

    private static void append(StringBuilder out, String name, String value) {
        if (value != null) {
            out.append(' ').append(name).append('=').append(value);
        }
    }

    /** {@code instant} as C's ctime() writes it, in UTC: {@code Mon Nov 30 03:22:49 2026}. */
    static String ctime(Instant instant) {
        return CTIME.format(instant);
    }

    /** When the scan ended, or, while it has no end, when it started. */
    static Instant end(StoredScan scan) {
        return scan.finishedAt() != null ? scan.finishedAt() : scan.createdAt();
    }

    /** The scan's duration in seconds with two decimals. */
    static String seconds(StoredScan scan) {
        long ms = scan.elapsedMs() == null ? 0 : scan.elapsedMs();
        return String.format(Locale.ROOT, "%.2f", ms / 1000.0);
    }

    /** nmap's closing summary: {@code 1 IP address (1 host up) scanned in 0.52 seconds}. */
    static String summary(StoredScan scan, long up, long hosts) {
        long total = Math.max(up, hosts);
        return total + (total == 1 ? " IP address" : " IP addresses") + " (" + up + (up == 1 ? " host" : " hosts")
                + " up) scanned in " + seconds(scan) + " seconds";
    }
}
