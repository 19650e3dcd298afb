package io.portflux.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * PostgresCluster is a private PostgreSQL server for one test class, registered as a JUnit extension
 * ({@code @RegisterExtension static final PostgresCluster cluster = new PostgresCluster();}): before the
 * class, initdb in a temporary directory, as the {@code postgres} user when the tests run as root (the
 * server refuses root), listening on 127.0.0.1 only on a free port; after the class, whether its tests
 * passed or not, an immediate stop and the directory deleted.
 *
 * <p>Without Debian's PostgreSQL 15 binaries the tests are skipped with one line saying how to get them,
 * except under {@code CI=true}, where that is a failure: CI must run them.
 */
public final class PostgresCluster implements BeforeAllCallback, AfterAllCallback, AutoCloseable {

    /** The newest server Debian's postgresql package installed (/usr/lib/postgresql/VERSION/bin). */
    public static final Path BIN = newestServer(Path.of("/usr/lib/postgresql"));
    private static final String HOW = "PostgreSQL is not installed (no initdb under /usr/lib/postgresql/*/bin); "
            + "get it with: apt-get install -y postgresql";

    private final Thread cleanup = new Thread(this::stopAndDelete, "postgres-cluster-cleanup");
    private final AtomicInteger databases = new AtomicInteger();
    private Path dir;
    private int port;
    private boolean asPostgres;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    /** Starts a fresh cluster, or skips the calling tests (fails under CI=true) when PostgreSQL is missing. */
    private void start() throws Exception {
        if (!Files.isExecutable(BIN.resolve("initdb")) || !Files.isExecutable(BIN.resolve("pg_ctl"))) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(HOW + " (CI=true: these tests must run)");
            }
            Assumptions.abort(HOW);
        }
        asPostgres = "root".equals(System.getProperty("user.name"));
        dir = Files.createTempDirectory("portflux-pg-");
        port = Listeners.unusedPort(InetAddress.getLoopbackAddress());
        // A JVM that ends without afterAll (a test run interrupted with Ctrl-C) still stops its server.
        Runtime.getRuntime().addShutdownHook(cleanup);
        if (asPostgres) {
            run(List.of("chown", "postgres:postgres", dir.toString()));
        }
        try {
            pg(BIN.resolve("initdb") + " -A trust -U postgres -E UTF8 --no-sync -D " + dir.resolve("data"));
            pg(BIN.resolve("pg_ctl") + " -D " + dir.resolve("data") + " -l " + dir.resolve("server.log")
                    + " -w -t 60 -o '-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1"
                    + " -c fsync=off -c synchronous_commit=off' start");
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    /** The port the server listens on, on 127.0.0.1. */
    public int port() {
        return port;
    }

    /** Creates an empty database and returns its R2DBC URL (user {@code postgres}, no password). */
    public String newDatabase() throws SQLException {
        String name = "portflux_" + databases.incrementAndGet();
        try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), "postgres", "");
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return "r2dbc:postgresql://127.0.0.1:" + port + "/" + name;
    }

    /** The JDBC URL of {@code database} on this server. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    @Override
    public void close() {
        stopAndDelete();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException shuttingDown) {
            // Already running as the hook.
        }
    }

    private synchronized void stopAndDelete() {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try {
            if (Files.exists(dir.resolve("data/postmaster.pid"))) {
                pg(BIN.resolve("pg_ctl") + " -D " + dir.resolve("data") + " -m immediate -w stop");
            }
        } catch (Exception e) {
            System.err.println("PostgresCluster: stop failed: " + e.getMessage());
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            System.err.println("PostgresCluster: could not delete " + dir + ": " + e.getMessage());
        }
    }

    private void pg(String command) throws Exception {
        if (asPostgres) {
            run(List.of("su", "postgres", "-s", "/bin/sh", "-c", command));
        } else {
            run(List.of("/bin/sh", "-c", command));
        }
    }

    private static void run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("timed out: " + command);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException("exit " + process.exitValue() + ": " + command + "\n" + new String(output));
        }
    }

    private static Path newestServer(Path root) {
        try (var versions = Files.list(root)) {
            return versions.filter(v -> Files.isExecutable(v.resolve("bin/initdb")))
                    .max(java.util.Comparator.comparingInt(v -> {
                        try {
                            return Integer.parseInt(v.getFileName().toString());
                        } catch (NumberFormatException e) {
                            return -1;
                        }
                    }))
                    .map(v -> v.resolve("bin"))
                    .orElse(root.resolve("missing/bin"));
        } catch (java.io.IOException e) {
            return root.resolve("missing/bin");
        }
    }
}
