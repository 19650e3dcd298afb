package io.portflux.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * NetnsRig is a real network on this machine for accuracy tests: two network namespaces of its own, a
 * scanner side ({@value #SCANNER_ADDRESS}) and a target side ({@value #TARGET_ADDRESS}), joined by one veth
 * pair and nothing else, with iptables in the target namespace answering port groups the way a real
 * firewall does. The addresses come from the benchmarking range 198.18.0.0/15 and exist only inside the
 * two namespaces, which {@link #close()} deletes (with the veth and every process the rig started),
 * also when a test fails.
 *
 * <p>It needs root, {@code ip} (iproute2) and {@code iptables}. Without them the tests that use it skip
 * with one line saying why, except under {@code CI=true}, where they fail.
 */
public final class NetnsRig implements AutoCloseable {

    public static final String SCANNER_ADDRESS = "198.18.0.1";
    public static final String TARGET_ADDRESS = "198.18.0.2";
    private static final Duration COMMAND_LIMIT = Duration.ofSeconds(30);

    private final String scanner;
    private final String target;
    private final Path logs;
    private final List<Process> processes = new ArrayList<>();

    private NetnsRig(String scanner, String target, Path logs) {
        this.scanner = scanner;
        this.target = target;
        this.logs = logs;
    }

    /**
     * Builds the two namespaces and the veth between them, with the target's ICMP rate limits lifted so
     * that every probe gets its answer; skips the test (fails it under {@code CI=true}) when this machine
     * cannot.
     */
    public static NetnsRig createOrSkip(Path logs) throws Exception {
        String missing = whatIsMissing();
        if (missing != null) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("the real-network rig must run under CI=true, but " + missing);
            }
            Assumptions.abort("real-network rig skipped: " + missing);
        }
        long pid = ProcessHandle.current().pid();
        NetnsRig rig = new NetnsRig("pf-scan-" + pid, "pf-target-" + pid, logs);
        try {
            rig.run("ip", "netns", "add", rig.scanner);
            rig.run("ip", "netns", "add", rig.target);
            rig.run("ip", "link", "add", "pfs" + pid, "netns", rig.scanner, "type", "veth", "peer", "name",
                    "pft" + pid, "netns", rig.target);
            rig.run("ip", "-n", rig.scanner, "addr", "add", SCANNER_ADDRESS + "/24", "dev", "pfs" + pid);
            rig.run("ip", "-n", rig.target, "addr", "add", TARGET_ADDRESS + "/24", "dev", "pft" + pid);
            for (String[] up : new String[][] {{rig.scanner, "pfs" + pid}, {rig.scanner, "lo"},
                    {rig.target, "pft" + pid}, {rig.target, "lo"}}) {
                rig.run("ip", "-n", up[0], "link", "set", up[1], "up");
            }
            rig.inTarget("sysctl", "-q", "-w", "net.ipv4.icmp_ratelimit=0", "net.ipv4.icmp_msgs_per_sec=1000000",
                    "net.ipv4.icmp_msgs_burst=1000000");
            return rig;
        } catch (Exception | AssertionError e) {
            rig.close();
            throw e;
        }
    }

    /** Why the rig cannot be built here, or null when it can. */
    private static String whatIsMissing() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "network namespaces need root (running as " + System.getProperty("user.name") + ")";
        }
        for (String tool : new String[] {"ip", "iptables"}) {
            if (!onPath(tool)) {
                return "'" + tool + "' is not installed (apt-get install -y iproute2 iptables)";
            }
        }
        return null;
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return Files.isExecutable(Path.of("/usr/sbin", tool)) || Files.isExecutable(Path.of("/sbin", tool));
    }

    /** Adds an iptables rule in the target namespace for TCP to ports {@code from}-{@code to}: the arguments after {@code -j}. */
    public void answer(int from, int to, String... jump) throws Exception {
        List<String> rule = new ArrayList<>(List.of("iptables", "-A", "INPUT", "-p", "tcp", "--dport", from + ":" + to,
                "-j"));
        rule.addAll(List.of(jump));
        inTarget(rule.toArray(String[]::new));
    }

    /** Runs a command inside the target namespace and waits for it to succeed. */
    public void inTarget(String... command) throws Exception {
        run(inNamespace(target, List.of(command)).toArray(String[]::new));
    }

    /** Runs a command inside the scanner namespace and returns its output, once it has succeeded. */
    public List<String> inScanner(String... command) throws Exception {
        return run(inNamespace(scanner, List.of(command)).toArray(String[]::new));
    }

    /** Starts a long-running command inside the target namespace; {@link #close()} stops it. */
    public Process startInTarget(String name, List<String> command) throws IOException {
        return start(name, inNamespace(target, command));
    }

    /** Starts a long-running command inside the scanner namespace; {@link #close()} stops it. */
    public Process startInScanner(String name, List<String> command) throws IOException {
        return start(name, inNamespace(scanner, command));
    }

    /** {@code command} run inside the scanner namespace, as a command line for another program to start. */
    public List<String> scannerCommand(List<String> command) {
        return inNamespace(scanner, command);
    }

    /** Waits (at most {@code limit}) for a line containing {@code marker} in the log of process {@code name}, and returns it. */
    public String awaitLine(Process process, String name, String marker, Duration limit) throws Exception {
        Path log = log(name);
        Await.until(() -> !process.isAlive() || lineWith(log, marker) != null, marker + " or exit", limit);
        String line = lineWith(log, marker);
        assertThat(line).as(() -> "no '" + marker + "' from " + log + ":\n" + readLog(name)).isNotNull();
        return line;
    }

    /**
     * Waits (at most {@code limit}) until the PortFlux server {@code name}, started in the scanner namespace,
     * answers ready on {@code port} of the namespace's loopback.
     */
    public void awaitReadyInScanner(Process service, String name, int port, Duration limit) throws Exception {
        Await.until(() -> !service.isAlive() || "200".equals(String.join("", inScanner("sh", "-c",
                        "curl -s -o /dev/null -w '%{http_code}' --max-time 2 "
                                + "http://127.0.0.1:" + port + "/actuator/health/readiness || true"))),
                name + " ready or gone", limit);
        assertThat(service.isAlive()).as(() -> name + " exited:\n" + readLog(name)).isTrue();
    }

    /** What process {@code name} has written so far. */
    public String readLog(String name) {
        try {
            return Files.readString(log(name));
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    private static String lineWith(Path log, String marker) throws IOException {
        if (!Files.exists(log)) {
            return null;
        }
        return Files.readAllLines(log).stream().filter(l -> l.contains(marker)).findFirst().orElse(null);
    }

    /** The log file of a process started by the rig. */
    public Path log(String name) {
        return logs.resolve(name + ".log");
    }

    /** A java command line on this JVM's own executable and the test classpath. */
    public static List<String> java(List<String> jvmOptions, String mainClass, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
        command.add(mainClass);
        command.addAll(args);
        return command;
    }

    private Process start(String name, List<String> command) throws IOException {
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log(name).toFile())
                .start();
        processes.add(process);
        return process;
    }

    private static List<String> inNamespace(String namespace, List<String> command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        full.addAll(command);
        return full;
    }

    private List<String> run(String... command) throws Exception {
        File out = File.createTempFile("rig", ".out");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out).start();
            boolean finished = p.waitFor(COMMAND_LIMIT.toSeconds(), TimeUnit.SECONDS);
            if (!finished) {
                p.destroyForcibly();
            }
            List<String> lines = Files.readAllLines(out.toPath(), StandardCharsets.UTF_8);
            assertThat(finished && p.exitValue() == 0)
                    .as(() -> String.join(" ", command) + " failed: " + String.join("\n", lines))
                    .isTrue();
            return lines;
        } finally {
            Files.deleteIfExists(out.toPath());
        }
    }

    /** Stops every process the rig started, by its handle, then deletes both namespaces and the veth with them. */
    @Override
    public void close() throws Exception {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        processes.clear();
        List<String> failures = new ArrayList<>();
        for (String namespace : new String[] {scanner, target}) {
            Process p = new ProcessBuilder("ip", "netns", "del", namespace).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(COMMAND_LIMIT.toSeconds(), TimeUnit.SECONDS) || p.exitValue() != 0) {
                if (!output.contains("No such file")) {
                    failures.add(namespace + ": " + output.trim());
                }
            }
        }
        assertThat(failures).as("namespaces left behind").isEmpty();
    }
}
