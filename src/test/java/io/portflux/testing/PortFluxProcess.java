package io.portflux.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * PortFluxProcess is a PortFlux server in a child JVM of its own, on a free loopback port, for tests of what
 * must survive a process: a restart, SIGTERM, SIGKILL, several replicas on one database.
 *
 * <p>It runs the test classpath, so it reads the test configuration too; pass {@code --spring.r2dbc.url=…}
 * (empty for the embedded file under {@code --portflux.store.path}) to choose its store.
 */
public final class PortFluxProcess implements AutoCloseable {

    private static final Duration READY = Duration.ofSeconds(90);

    private final Process process;
    private final int port;
    private final Path log;

    private PortFluxProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts a server with {@code args} (Spring Boot command-line properties) and waits until it is ready. */
    public static PortFluxProcess start(Path workDir, String name, String... args) throws Exception {
        int port = Listeners.unusedPort(InetAddress.getLoopbackAddress());
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-cp", classpath, "io.portflux.PortFluxApplication",
                "--server.port=" + port, "--server.address=127.0.0.1", "--spring.main.banner-mode=off"));
        command.addAll(List.of(args));
        Path log = workDir.resolve(name + ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        PortFluxProcess server = new PortFluxProcess(process, port, log);
        try {
            Await.until(server::ready, name + " ready on port " + port + " (log: " + log + ")", READY);
        } catch (Exception | AssertionError e) {
            server.close();
            throw new AssertionError(e.getMessage() + "\n" + server.log(), e);
        }
        return server;
    }

    private boolean ready() throws IOException, InterruptedException {
        if (!process.isAlive()) {
            throw new IllegalStateException("exited with " + process.exitValue() + "\n" + log());
        }
        try {
            HttpResponse<Void> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(baseUrl() + "/actuator/health/readiness"))
                            .timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (IOException notYet) {
            return false;
        }
    }

    /**
     * Starts one server per name side by side (a JVM start is mostly waiting for CPU on a small machine), each with
     * {@code args} and its own name as the replica id, and waits until all are ready; in the order of the names.
     */
    public static List<PortFluxProcess> startReplicas(Path workDir, List<String> names, String... args) throws Exception {
        List<java.util.concurrent.CompletableFuture<PortFluxProcess>> starting = new ArrayList<>();
        for (String name : names) {
            List<String> own = new ArrayList<>(List.of(args));
            own.add("--portflux.store.replica-id=" + name);
            starting.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return start(workDir, name, own.toArray(String[]::new));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        List<PortFluxProcess> started = new ArrayList<>();
        try {
            for (java.util.concurrent.CompletableFuture<PortFluxProcess> future : starting) {
                started.add(future.get(3, TimeUnit.MINUTES));
            }
        } catch (Exception | AssertionError e) {
            // The others stop too: none is left running behind a failed start.
            for (java.util.concurrent.CompletableFuture<PortFluxProcess> future : starting) {
                PortFluxProcess server = future.handle((s, error) -> s).get(3, TimeUnit.MINUTES);
                if (server != null) {
                    server.close();
                }
            }
            throw e;
        }
        return started;
    }

    /** {@code http://127.0.0.1:port}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** A client for this server. */
    public WebTestClient client() {
        return WebTestClient.bindToServer().baseUrl(baseUrl()).responseTimeout(Duration.ofSeconds(60)).build();
    }

    /** SIGTERM, then waits for the exit: the graceful shutdown a rollout does. Returns the exit code. */
    public int terminate() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            throw new AssertionError("no exit within 60 s of SIGTERM\n" + log());
        }
        return process.exitValue();
    }

    /** SIGKILL, then waits for the exit: what an OOM kill or a lost node does. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(60, TimeUnit.SECONDS);
    }

    /** Whether the process still runs. */
    public boolean alive() {
        return process.isAlive();
    }

    /** What the server wrote to its console. */
    public String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
