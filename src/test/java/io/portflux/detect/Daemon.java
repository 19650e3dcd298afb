package io.portflux.detect;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Daemon is a real Debian server run by a test as a child process in the foreground, on loopback ports the
 * test chose, with its configuration in the test's temporary directory; closing it stops it (and whatever
 * it started) by PID.
 */
final class Daemon implements AutoCloseable {

    private final String name;
    private final Process process;
    private final Path log;

    private Daemon(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /**
     * Skips the calling test with one line when {@code program} is missing (fails it under CI=true, where
     * test.sh has installed {@code debianPackage}).
     */
    static void require(String program, String debianPackage) {
        if (!Files.isExecutable(Path.of(program))) {
            String why = program + " is missing; get it with: apt-get install -y " + debianPackage;
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(why + " (CI=true: these tests must run)");
            }
            Assumptions.abort(why);
        }
    }

    /** Starts {@code command} and waits until every one of {@code ports} on 127.0.0.1 accepts a connection. */
    static Daemon start(String name, Path dir, List<String> command, int... ports) throws Exception {
        Path log = dir.resolve(name + ".out");
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        Daemon daemon = new Daemon(name, process, log);
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            for (int port : ports) {
                while (!accepts(port)) {
                    if (!process.isAlive() || System.nanoTime() > deadline) {
                        throw new IllegalStateException(name + " did not come up on port " + port + ": "
                                + (process.isAlive() ? "still starting" : "exited " + process.exitValue()) + "\n"
                                + Files.readString(log));
                    }
                    Thread.sleep(20); // polling a port that a starting server will open
                }
            }
        } catch (Exception e) {
            daemon.close();
            throw e;
        }
        return daemon;
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The server's output so far, for a failure message. */
    String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    @Override
    public void close() throws Exception {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        // A server's own workers (nginx, dovecot, telnetd under inetd) go with it; any left are ours too.
        for (ProcessHandle child : children) {
            if (child.isAlive()) {
                child.destroy();
            }
        }
    }

    @Override
    public String toString() {
        return name + "[pid " + process.pid() + "]";
    }
}
