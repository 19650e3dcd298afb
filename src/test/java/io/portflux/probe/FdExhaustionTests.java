package io.portflux.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.portflux.probe.ProbeLoops.Transport;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A real scan that runs out of file descriptors: a child JVM under {@code ulimit -n 128} scans 1,500
 * loopback ports with 1,000 probes in flight, so socket(2) fails with EMFILE again and again. Every
 * listener must be open and every other port closed, or, where a probe met EMFILE on all its tries,
 * an error with reason local-fault: a local fault is never reported as closed. Loopback only.
 */
class FdExhaustionTests {

    private static final int LISTENERS = 10;
    private static final int CLOSED = 1490;
    /** The classpath entries the child needs; a JVM with 128 descriptors cannot open every test jar. */
    private static final Pattern CHILD_JARS =
            Pattern.compile(".*(netty-|reactor-core|reactive-streams|ipaddress|slf4j).*");

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Transport.class, names = {"IO_URING", "EPOLL", "NIO"})
    void aScanOutOfDescriptorsBacksOffAndNeverCallsAFaultClosed(Transport transport) throws Exception {
        InetAddress v4 = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        List<ServerSocket> listeners = new ArrayList<>();
        List<Socket> holders = new ArrayList<>(); // bound, never listening: their ports are closed
        try {
            List<Integer> open = new ArrayList<>();
            List<Integer> closed = new ArrayList<>();
            for (int i = 0; i < LISTENERS; i++) {
                ServerSocket listener = new ServerSocket(0, 50, v4);
                listeners.add(listener);
                open.add(listener.getLocalPort());
            }
            for (int i = 0; i < CLOSED; i++) {
                Socket holder = new Socket();
                holder.bind(new InetSocketAddress(v4, 0));
                holders.add(holder);
                closed.add(holder.getLocalPort());
            }
            List<Integer> all = new ArrayList<>(open);
            all.addAll(closed);
            Path portFile = Files.writeString(dir.resolve("ports"),
                    all.stream().map(String::valueOf).collect(Collectors.joining(",")));

            List<String> out = runChild(transport, portFile);
            Assumptions.assumeTrue(out.contains("transport " + transport),
                    () -> transport + " is not available here: " + out.get(0));

            Map<Integer, String> verdicts = new HashMap<>();
            for (String line : out) {
                if (line.startsWith("port ")) {
                    String[] f = line.split(" ");
                    verdicts.put(Integer.parseInt(f[1]), f[2] + " " + f[3]);
                }
            }
            assertThat(lineStartingWith(out, "default budget ")).as("the budget read from ulimit -n 128, less 16")
                    .isEqualTo("default budget 112");
            int faults = Integer.parseInt(lineStartingWith(out, "faults ").split(" ")[1]);
            assertThat(faults).as("EMFILE really happened, or this test proves nothing").isPositive();
            assertThat(verdicts).hasSize(LISTENERS + CLOSED);
            // A probe that meets EMFILE on every one of its tries is an error, on any port: never closed
            // for a listener, never open for a closed port.
            long openErrors = 0;
            for (int port : open) {
                String verdict = verdicts.get(port);
                assertThat(verdict).as("listener " + port).isIn("open conn-accept", "error local-fault");
                openErrors += verdict.startsWith("error") ? 1 : 0;
            }
            long closedErrors = 0;
            for (int port : closed) {
                String verdict = verdicts.get(port);
                assertThat(verdict).as("closed port " + port).isIn("closed conn-refused", "error local-fault");
                closedErrors += verdict.startsWith("error") ? 1 : 0;
            }
            assertThat(openErrors).as("listeners found open despite the faults").isLessThan(LISTENERS);
            assertThat(lineStartingWith(out, "done "))
                    .isEqualTo("done completed scanned 1500 open " + (LISTENERS - openErrors) + " closed "
                            + (CLOSED - closedErrors) + " filtered 0 errors " + (openErrors + closedErrors));
        } finally {
            for (ServerSocket l : listeners) {
                l.close();
            }
            for (Socket h : holders) {
                h.close();
            }
        }
    }

    private static Path jarOf(List<Path> classDirs, Path jar) throws IOException {
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            Set<String> added = new HashSet<>();
            for (Path root : classDirs) {
                List<Path> files;
                try (Stream<Path> walk = Files.walk(root)) {
                    files = walk.filter(Files::isRegularFile).collect(Collectors.toList());
                }
                for (Path file : files) {
                    String name = root.relativize(file).toString().replace(File.separatorChar, '/');
                    if (added.add(name)) {
                        out.putNextEntry(new JarEntry(name));
                        Files.copy(file, out);
                        out.closeEntry();
                    }
                }
            }
        }
        return jar;
    }

    private static String lineStartingWith(List<String> lines, String prefix) {
        return lines.stream().filter(l -> l.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no '" + prefix + "' line in " + lines));
    }

    private List<String> runChild(Transport transport, Path portFile) throws Exception {
        String fullPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> entries = new ArrayList<>();
        List<Path> classDirs = new ArrayList<>();
        for (String entry : fullPath.split(File.pathSeparator)) {
            if (Files.isDirectory(Path.of(entry))) {
                classDirs.add(Path.of(entry));
            } else if (CHILD_JARS.matcher(new File(entry).getName()).matches()) {
                entries.add(entry);
            }
        }
        // Class files in a directory each need a descriptor to load, and the child has none to spare
        // once the scan runs; one jar stays open from the first class on.
        entries.add(0, jarOf(classDirs, dir.resolve("classes.jar")).toString());
        String classpath = String.join(File.pathSeparator, entries);
        String java = ProcessHandle.current().info().command().orElse("java");
        Path output = dir.resolve("child-" + transport + ".out");
        Process child = new ProcessBuilder("bash", "-c",
                "ulimit -n 128 && exec \"$0\" -Xmx128m -cp \"$1\" io.portflux.probe.FdLimitedScan \"$2\" \"$3\"",
                java, classpath, transport.name(), portFile.toString())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        try {
            assertThat(child.waitFor(120, TimeUnit.SECONDS)).as("child scan finished").isTrue();
        } finally {
            child.destroyForcibly();
        }
        List<String> lines = Files.readAllLines(output, StandardCharsets.UTF_8);
        assertThat(child.exitValue()).as(String.join("\n", lines)).isZero();
        return lines;
    }
}
