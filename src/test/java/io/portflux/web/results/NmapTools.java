package io.portflux.web.results;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * NmapTools runs Debian's xmllint (libxml2-utils) against nmap's own DTD (nmap) and ndiff (ndiff) as child
 * processes. A missing one skips the calling test with one line, or fails it under CI=true, where test.sh has
 * installed them.
 */
final class NmapTools {

    static final Path DTD = Path.of("/usr/share/nmap/nmap.dtd");
    private static final Path XMLLINT = Path.of("/usr/bin/xmllint");
    private static final Path NDIFF = Path.of("/usr/bin/ndiff");

    private NmapTools() {}

    /** What a child process wrote and how it exited. */
    record Run(int exit, String output) {}

    static void require(Path file, String pkg) {
        if (!Files.exists(file)) {
            String why = file + " is missing (Debian package " + pkg + "; test.sh installs it)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(why + " (CI=true: these tests must run)");
            }
            Assumptions.abort(why);
        }
    }

    /** xmllint's verdict on {@code xml} validated against nmap.dtd; the test fails unless it is valid. */
    static void assertValidNmapXml(Path xml) throws Exception {
        require(XMLLINT, "libxml2-utils");
        require(DTD, "nmap");
        Run run = run(List.of(XMLLINT.toString(), "--noout", "--dtdvalid", DTD.toString(), xml.toString()));
        assertThat(run.output()).as("xmllint output").isEmpty();
        assertThat(run.exit()).as("xmllint exit status").isZero();
    }

    /** ndiff's text output comparing {@code a} with {@code b} (exit 1 means they differ, as ndiff says). */
    static Run ndiff(Path a, Path b) throws Exception {
        require(NDIFF, "ndiff");
        return run(List.of(NDIFF.toString(), a.toString(), b.toString()));
    }

    private static Run run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                fail(command.get(0) + " did not end within 60 s");
            }
            return new Run(process.exitValue(), new String(out, StandardCharsets.UTF_8));
        } finally {
            process.destroyForcibly();
        }
    }
}
