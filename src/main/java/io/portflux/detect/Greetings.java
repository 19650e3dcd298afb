package io.portflux.detect;

import io.portflux.scan.service.ServiceDetector.Detection;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Greetings names what speaks first from its greeting, and reads product and version from greetings,
 * {@code Server} headers and {@code version.bind} answers. It is pure text work, with no I/O.
 */
final class Greetings {

    private static final Set<Integer> SMTP_PORTS = Set.of(25, 465, 587, 2525);

    /** Products that announce themselves in a greeting, with their version where they give it. */
    private static final List<Pattern> PRODUCTS = List.of(
            Pattern.compile("\\((vsFTPd) ([\\w.]+)\\)"),
            Pattern.compile("(ProFTPD) ([\\d.]+\\w*)"),
            Pattern.compile("(Pure-FTPd)"),
            Pattern.compile("(FileZilla Server)(?: version)? ?([\\d.]+\\w*)?"),
            Pattern.compile("(OpenSMTPD)"),
            Pattern.compile("(Postfix)"),
            Pattern.compile("(Exim) ([\\d.]+)"),
            Pattern.compile("(Sendmail) ([\\d.]+\\S*)"),
            Pattern.compile("(Dovecot)"),
            Pattern.compile("(Cyrus) IMAP v?([\\d.]+)"),
            Pattern.compile("(Courier-IMAP)"));

    /** {@code name/1.2.3}, {@code name-1.2.3} or {@code name 1.2.3}, as Server headers and version.bind say it. */
    private static final Pattern NAME_VERSION = Pattern.compile("^([A-Za-z][\\w.+-]*?)(?:[/ -]v?(\\d[\\w.+~:-]*))?(?:\\s|$)");

    private static final Pattern SSH = Pattern.compile("^SSH-([\\d.]+)-(\\S+)(?:\\s+(.*))?$");

    private Greetings() {}

    /**
     * What a greeting says: the protocol with product and version, {@code tcpwrapped} for a connection closed
     * before a byte, or a detection without a service for a greeting in no known protocol; null when the
     * port said nothing.
     */
    static @Nullable Detection classify(Reply greeting, int port, int bannerLength) {
        if (greeting.telnet()) {
            return new Detection("telnet", null, null, banner(greeting.bytes(), bannerLength), null);
        }
        if (greeting.bytes().length == 0) {
            return greeting.closed() && !greeting.timedOut() ? new Detection("tcpwrapped", null, null, null, null) : null;
        }
        String text = new String(greeting.bytes(), StandardCharsets.ISO_8859_1);
        String first = firstLine(text);
        String banner = banner(greeting.bytes(), bannerLength);
        Matcher ssh = SSH.matcher(first);
        if (ssh.matches()) {
            String software = ssh.group(2);
            int cut = software.indexOf('_');
            String product = cut < 0 ? software : software.substring(0, cut);
            String version = cut < 0 ? null : software.substring(cut + 1);
            return new Detection("ssh", product, version, banner, null);
        }
        if (first.startsWith("220")) {
            return withProduct(ftpOrSmtp(text, port), text, banner);
        }
        if (first.startsWith("+OK")) {
            return withProduct("pop3", text, banner);
        }
        if (first.startsWith("* OK") || first.startsWith("* PREAUTH")) {
            return withProduct("imap", text, banner);
        }
        return new Detection(null, null, null, banner, null);
    }

    /** Whether a greeting is complete: a whole line, and for a multi-line {@code 220-} reply its last line. */
    static boolean complete(Reply reply) {
        if (reply.telnet()) {
            return true;
        }
        String text = new String(reply.bytes(), StandardCharsets.ISO_8859_1);
        int end = text.lastIndexOf('\n');
        if (end < 0) {
            return false;
        }
        String[] lines = text.substring(0, end).split("\r?\n");
        String last = lines[lines.length - 1];
        return !(last.length() > 3 && last.charAt(3) == '-' && Character.isDigit(last.charAt(0)));
    }

    /** Product and version from {@code Server: nginx/1.22.1} or a {@code version.bind} text ({@code dnsmasq-2.90}). */
    static String[] nameAndVersion(@Nullable String announced) {
        if (announced == null || announced.isBlank()) {
            return new String[] {null, null};
        }
        Matcher m = NAME_VERSION.matcher(announced.trim());
        if (!m.find()) {
            return new String[] {announced.trim(), null};
        }
        return new String[] {m.group(1), m.group(2)};
    }

    /** Printable text of {@code bytes}: control bytes become spaces, runs of space collapse, capped in length. */
    static @Nullable String banner(byte[] bytes, int max) {
        StringBuilder out = new StringBuilder(Math.min(bytes.length, max));
        boolean space = false;
        for (byte value : bytes) {
            int c = value & 0xff;
            boolean printable = c >= 0x20 && c < 0x7f;
            if (!printable || c == ' ') {
                if (!space && out.length() > 0) {
                    out.append(' ');
                }
                space = true;
            } else {
                out.append((char) c);
                space = false;
            }
            if (out.length() >= max) {
                break;
            }
        }
        String text = out.toString().strip();
        return text.isEmpty() ? null : text;
    }

    // Both say 220 first; the text nearly always names one of them, and the port breaks the tie.
    private static String ftpOrSmtp(String text, int port) {
        String upper = text.toUpperCase(Locale.ROOT);
        if (upper.contains("SMTP") || upper.contains(" MAIL") || upper.contains("POSTFIX") || upper.contains("EXIM")) {
            return "smtp";
        }
        if (upper.contains("FTP")) {
            return "ftp";
        }
        return SMTP_PORTS.contains(port) ? "smtp" : "ftp";
    }

    private static Detection withProduct(String service, String text, @Nullable String banner) {
        for (Pattern pattern : PRODUCTS) {
            Matcher m = pattern.matcher(text);
            if (m.find()) {
                return new Detection(service, m.group(1), m.groupCount() > 1 ? m.group(2) : null, banner, null);
            }
        }
        return new Detection(service, null, null, banner, null);
    }

    private static String firstLine(String text) {
        int end = text.indexOf('\n');
        return (end < 0 ? text : text.substring(0, end)).strip();
    }
}
