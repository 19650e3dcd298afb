package io.portflux.web.scans;

import static org.assertj.core.api.Assertions.assertThat;

import io.portflux.testing.Await;
import io.portflux.testing.PortFluxProcess;
import io.portflux.testing.PostgresCluster;
import io.portflux.testing.SseClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Timed;

/**
 * SharedScanTests run three PortFlux processes on loopback against one private PostgreSQL and share scans
 * between them ({@code distribute=on}): a scan of eight addresses × every port is worked on by all three and
 * ends with exact counts and exactly the listening ports as open; a replica stopped with SIGTERM hands its ranges
 * back and the others resume them at once, without waiting for the lease or for a slot; a replica killed with
 * SIGKILL while it detects a slow service has its ranges taken over after the lease, and the scan still ends with
 * exact counts, one result and one event per port, and the service detected by the replica that took over.
 *
 * <p>The three tests share the processes and run in order: three replicas, then two, then one.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SharedScanTests {

    @RegisterExtension
    static final PostgresCluster cluster = new PostgresCluster();

    private static final Duration WAIT = Duration.ofSeconds(90);
    /** The ranges' lease, and the replicas' own: short, so that a takeover after SIGKILL comes soon. */
    private static final Duration LEASE = Duration.ofSeconds(6);

    @TempDir
    static Path dir;

    private static String url;
    private static final List<PortFluxProcess> replicas = new ArrayList<>();
    private static final List<ServerSocket> listeners = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        url = cluster.newDatabase();
        List<CompletableFuture<PortFluxProcess>> starting = new ArrayList<>();
        for (String name : List.of("a", "b", "c")) {
            starting.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return PortFluxProcess.start(dir, name, "--spring.r2dbc.url=" + url,
                            "--spring.r2dbc.username=postgres", "--portflux.store.replica-id=" + name,
                            "--portflux.store.lease-time=" + LEASE.toMillis() + "ms",
                            "--portflux.store.poll-interval=1s",
                            "--portflux.cluster.lease-time=" + LEASE.toMillis() + "ms",
                            "--portflux.cluster.claim-interval=500ms",
                            "--portflux.cluster.checkpoint-interval=300ms",
                            "--portflux.quotas.scans-per-minute=0",
                            "--portflux.detect.enabled=false",
                            // A greeting that comes within seconds is still read (the slow greeter's, below).
                            "--portflux.detect.greeting-min=5s", "--portflux.detect.greeting-timeout=5s",
                            "--portflux.detect.max-time=7s");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (CompletableFuture<PortFluxProcess> future : starting) {
            replicas.add(future.get(3, TimeUnit.MINUTES));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        for (PortFluxProcess replica : replicas) {
            replica.close();
        }
        for (ServerSocket s : listeners) {
            s.close();
        }
    }

    private static PortFluxProcess replica(String name) {
        return replicas.get(List.of("a", "b", "c").indexOf(name));
    }

    private static String start(WebTestClient client, String json) {
        Map<?, ?> body = client.post().uri("/api/scans").contentType(MediaType.APPLICATION_JSON).bodyValue(json)
                .exchange().expectStatus().isAccepted().expectBody(Map.class).returnResult().getResponseBody();
        return (String) body.get("id");
    }

    private static Map<?, ?> snapshot(WebTestClient client, String id) {
        return client.get().uri("/api/scans/" + id).exchange().expectStatus().isOk()
                .expectBody(Map.class).returnResult().getResponseBody();
    }

    private static CompletableFuture<List<ServerSentEvent<Map<String, Object>>>> watch(WebTestClient client, String id) {
        return SseClient.stream(client, "/api/scans/" + id + "/events").collectList().toFuture();
    }

    private static List<Map<String, Object>> named(List<ServerSentEvent<Map<String, Object>>> events, String name) {
        return events.stream().filter(e -> name.equals(e.event())).map(ServerSentEvent::data).toList();
    }

    /**
     * One stream: event ids 1, 2, 3, … with no gap, one started first, one done last, no port twice, and the
     * done's counters adding up to its total with every probe made.
     */
    private static Map<String, Object> assertOneStream(List<ServerSentEvent<Map<String, Object>>> events, long total) {
        for (int i = 0; i < events.size(); i++) {
            assertThat(events.get(i).id()).as("event %d's id", i).isEqualTo(Long.toString(i + 1));
        }
        assertThat(events.get(0).event()).isEqualTo("started");
        assertThat(SseClient.names(events)).filteredOn("started"::equals).hasSize(1);
        assertThat(SseClient.names(events)).filteredOn("done"::equals).hasSize(1);
        assertThat(events.get(events.size() - 1).event()).isEqualTo("done");
        List<String> ports = named(events, "port").stream().map(p -> p.get("ip") + ":" + p.get("port")).toList();
        assertThat(ports).doesNotHaveDuplicates();
        Map<String, Object> done = SseClient.last(events);
        assertThat(done).containsEntry("status", "completed");
        assertThat(SseClient.number(done, "total")).isEqualTo(total);
        assertThat(SseClient.number(done, "scanned")).isEqualTo(total);
        assertThat(SseClient.number(done, "open") + SseClient.number(done, "closed") + SseClient.number(done, "filtered")
                + SseClient.number(done, "errors")).isEqualTo(total);
        for (Map<String, Object> progress : named(events, "progress")) {
            assertThat(SseClient.number(progress, "scanned")).isLessThanOrEqualTo(total);
            Set<Object> figure = new HashSet<>(((Map<?, ?>) progress.get("shards")).keySet());
            assertThat(figure).containsExactlyInAnyOrder("done", "running", "waiting", "cancelled", "replicas");
        }
        return done;
    }

    /** Who did what to the ranges: "replica action" for every shard event. */
    private static List<String> shardActions(List<ServerSentEvent<Map<String, Object>>> events) {
        return named(events, "shard").stream().map(s -> s.get("replica") + " " + s.get("action")).toList();
    }

    private static Set<String> rows(String id) throws Exception {
        Set<String> rows = new HashSet<>();
        String database = url.substring(url.lastIndexOf('/') + 1);
        try (Connection jdbc = DriverManager.getConnection(cluster.jdbcUrl(database), "postgres", "");
                ResultSet r = jdbc.createStatement().executeQuery(
                        "SELECT ip, port FROM port_results WHERE scan_id = '" + id + "'")) {
            while (r.next()) {
                assertThat(rows.add(r.getString(1) + ":" + r.getInt(2))).as("one row per port").isTrue();
            }
        }
        return rows;
    }

    @Test
    @Order(1)
    void aScanOfEightAddressesTimesEveryPortIsWorkedOnByAllThreeAndEndsWithExactCountsAndTheListenersOpen()
            throws Exception {
        Set<String> ours = new TreeSet<>();
        for (int host = 1; host <= 8; host++) {
            InetAddress address = InetAddress.getByName("127.0.0." + host);
            for (int i = 0; i < 2; i++) {
                ServerSocket s = new ServerSocket(0, 50, address);
                listeners.add(s);
                ours.add("127.0.0." + host + ":" + s.getLocalPort());
            }
        }
        Set<String> before = listening();
        long began = System.nanoTime();
        String id = start(replica("a").client(), "{\"targets\":\"127.0.0.1-127.0.0.8\",\"ports\":\"1-65535\","
                + "\"distribute\":\"on\",\"detect\":\"off\"}");
        var onB = watch(replica("b").client(), id);
        var events = onB.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
        Set<String> after = listening();

        Map<String, Object> done = assertOneStream(events, 524_280);
        Set<String> open = ((List<?>) done.get("openPorts")).stream()
                .map(p -> ((Map<?, ?>) p).get("ip") + ":" + ((Map<?, ?>) p).get("port"))
                .collect(Collectors.toCollection(TreeSet::new));
        // Every listener of ours, and whatever else listened on these addresses for the whole scan (PostgreSQL,
        // the replicas' own HTTP ports); nothing that did not listen at all.
        Set<String> always = new TreeSet<>(before);
        always.retainAll(after);
        Set<String> ever = new TreeSet<>(before);
        ever.addAll(after);
        assertThat(open).containsAll(ours).containsAll(always);
        assertThat(ever).containsAll(open);
        assertThat(SseClient.number(done, "open")).isEqualTo(open.size());
        assertThat(named(events, "port")).hasSize(open.size());
        assertThat(rows(id)).isEqualTo(open);

        // All three finished ranges; every range was finished once.
        List<String> actions = shardActions(events);
        for (String name : List.of("a", "b", "c")) {
            assertThat(actions).as("ranges finished by %s", name).contains(name + " finished");
        }
        assertThat(actions).filteredOn(a -> a.endsWith(" finished")).hasSize(64);
        // The same stream from any replica.
        assertThat(SseClient.all(replica("c").client(), "/api/scans/" + id + "/events").stream()
                .map(e -> e.id() + e.event()).toList())
                .isEqualTo(events.stream().map(e -> e.id() + e.event()).toList());
        Map<?, ?> snapshot = snapshot(replica("c").client(), id);
        assertThat(snapshot.get("status")).isEqualTo("completed");
        assertThat(((Number) snapshot.get("scanned")).longValue()).isEqualTo(524_280);
        System.out.printf("524,280 probes on three replicas: %d ms, %s%n", tookMs,
                actions.stream().filter(a -> a.endsWith(" finished"))
                        .collect(Collectors.groupingBy(a -> a.split(" ")[0], java.util.TreeMap::new, Collectors.counting())));
    }

    @Test
    @Order(2)
    void aCancelOnAnyReplicaStopsTheRangesOfEveryReplicaAtOnce() throws Exception {
        String id = start(replica("a").client(), "{\"targets\":\"127.0.0.1-127.0.0.2\",\"ports\":\"1-20000\","
                + "\"distribute\":\"on\",\"rate\":\"3000\",\"detect\":\"off\"}");
        var onB = watch(replica("b").client(), id);
        reached(() -> heldBy(id, "a") > 0 && heldBy(id, "b") > 0 && heldBy(id, "c") > 0,
                "all three hold ranges of the running scan");

        long asked = System.nanoTime();
        replica("c").client().delete().uri("/api/scans/" + id).exchange().expectStatus().isOk();
        var events = onB.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        long doneMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - asked);
        Await.until(() -> replicas.stream().allMatch(r -> held(r) == 0), "no replica holds a range any more", WAIT);
        long stoppedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - asked);

        Map<String, Object> done = SseClient.last(events);
        assertThat(done).containsEntry("status", "cancelled").containsEntry("message", ScanRegistry.CANCELLED_BY_REQUEST);
        assertThat(SseClient.names(events)).filteredOn("done"::equals).hasSize(1);
        assertThat(SseClient.number(done, "scanned")).isLessThan(40_000);
        // Its counts are the stored ones, and no range is written after the cancel.
        Map<?, ?> snapshot = snapshot(replica("a").client(), id);
        assertThat(snapshot.get("status")).isEqualTo("cancelled");
        assertThat(((Number) snapshot.get("scanned")).longValue()).isEqualTo(SseClient.number(done, "scanned"));
        // The scan is over and so are its ranges: none running or waiting, in the snapshot and the last progress.
        Map<?, ?> figure = (Map<?, ?>) snapshot.get("shards");
        assertThat(figure.get("running")).isEqualTo(0);
        assertThat(figure.get("waiting")).isEqualTo(0);
        assertThat(((Number) figure.get("cancelled")).intValue()).isPositive();
        assertThat(events.get(events.size() - 2).event()).isEqualTo("progress");
        assertThat(((Map<?, ?>) events.get(events.size() - 2).data().get("shards")).get("running")).isEqualTo(0);
        assertThat(stoppedMs).as("cancel to every range stopped, ms").isLessThan(LEASE.toMillis());
        System.out.printf("cancel through c: done on b's watcher after %d ms, every range stopped after %d ms%n", doneMs,
                stoppedMs);
    }

    private static double held(PortFluxProcess replica) {
        if (!replica.alive()) {
            return 0;
        }
        String metrics = replica.client().get().uri("/actuator/prometheus").exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        return metric(metrics, "portflux_shards_held");
    }

    @Test
    @Order(3)
    void aReplicaStoppedWithSigtermHandsItsRangesBackAndTheOthersResumeThemWithoutWaitingForTheLease()
            throws Exception {
        // 12 ranges of 256 probes, slow enough that a range takes seconds: c is stopped with work left in one.
        String id = start(replica("a").client(), "{\"targets\":\"127.0.0.1\",\"ports\":\"1-3072\","
                + "\"distribute\":\"on\",\"report\":\"all\",\"rate\":\"300\",\"detect\":\"off\"}");
        // When each event reached a's watcher: a range's hand-back and its resume are stored by two replicas, and
        // both reach the watcher the same way, so the time between their arrivals is the time the range waited.
        var onA = SseClient.stream(replica("a").client(), "/api/scans/" + id + "/events").timed().collectList()
                .toFuture();
        reached(() -> heldEarly(id, "c") > 0, "c holds a range it has not done half of");

        long stopped = System.nanoTime();
        long[] exited = new long[1];
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> {
            try {
                int status = replica("c").terminate();
                exited[0] = System.nanoTime();
                return status;
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        reached(() -> handedBackBy(id, "c") > 0 && heldBy(id, "c") == 0, "c's ranges handed back");
        long handedBackMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped);
        // The hand-back wakes the others (NOTIFY), and they take c's ranges at once: their in-flight budget has
        // room, though each already holds its ranges-per-replica.
        reached(() -> resumedFrom(id, "c"), "c's ranges resumed by a or b");
        long resumedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped);
        assertThat(exit.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isIn(0, 130, 143);
        long exitedMs = TimeUnit.NANOSECONDS.toMillis(exited[0] - stopped);

        var timed = onA.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        var events = timed.stream().map(Timed::get).toList();
        assertOneStream(events, 3072);
        assertThat(named(events, "port")).hasSize(3072);
        assertThat(rows(id)).hasSize(3072);
        List<Map<String, Object>> shards = named(events, "shard");
        List<Object> handedBack = shards.stream().filter(s -> "c".equals(s.get("replica"))
                && "handed-back".equals(s.get("action"))).map(s -> s.get("shard")).toList();
        assertThat(handedBack).as("ranges c handed back").isNotEmpty();
        long longestWaitMs = 0;
        for (Object range : handedBack) {
            assertThat(shards).as("range %s resumed from c", range).anyMatch(s -> range.equals(s.get("shard"))
                    && "resumed".equals(s.get("action")) && "c".equals(s.get("previous")));
            long back = arrival(timed, range, "handed-back");
            long resumed = arrival(timed, range, "resumed");
            longestWaitMs = Math.max(longestWaitMs, TimeUnit.NANOSECONDS.toMillis(resumed - back));
        }
        // Before, a range handed back waited for a slot of a or b to free: 5.5 s here, nearly the lease.
        assertThat(longestWaitMs).as("longest wait of a range c handed back, from its hand-back to its resume, ms")
                .isLessThan(2000);
        // Handed back at SIGTERM, not left for the lease to run out: nothing was taken over.
        assertThat(shards).noneMatch(s -> "taken-over".equals(s.get("action")));
        assertThat(handedBackMs).as("SIGTERM to c's ranges handed back, ms").isLessThan(LEASE.toMillis() / 2);
        System.out.printf("SIGTERM of c: its %d range(s) handed back after %d ms and resumed elsewhere after %d ms "
                + "(each waited at most %d ms); it exited after %d ms (lease %d ms)%n", handedBack.size(), handedBackMs,
                resumedMs, longestWaitMs, exitedMs, LEASE.toMillis());
    }

    /** When the {@code action} shard event of {@code range} reached the watcher (nanoTime). */
    private static long arrival(List<Timed<ServerSentEvent<Map<String, Object>>>> timed,
            Object range, String action) {
        return timed.stream().filter(t -> "shard".equals(t.get().event()) && range.equals(t.get().data().get("shard"))
                        && action.equals(t.get().data().get("action")))
                .mapToLong(t -> t.elapsedSinceSubscription().toNanos()).findFirst().orElseThrow();
    }

    @Test
    @Order(4)
    void aReplicaKilledWhileDetectingHasItsRangesTakenOverAndTheScanEndsWithExactCountsNoDuplicatesAndTheService()
            throws Exception {
        // An SSH-like listener that greets GREETING after each connection: the replica that finds it open is still
        // waiting for its greeting when it is killed.
        ServerSocket slow = slowGreeter("SSH-2.0-Test_1.0\r\n");
        String id = start(replica("a").client(), "{\"targets\":\"127.0.0.1\",\"ports\":\"1-3071,"
                + slow.getLocalPort() + "\",\"distribute\":\"on\",\"report\":\"all\",\"rate\":\"300\","
                + "\"detect\":\"on\"}");
        String[] holder = new String[1];
        reached(() -> (holder[0] = detectingHolder(id, slow.getLocalPort())) != null,
                "the slow port stored open with its detection under way");
        PortFluxProcess killed = replica(holder[0]);
        killed.kill();
        long killedAt = System.nanoTime();
        PortFluxProcess survivor = replicas.stream().filter(PortFluxProcess::alive).findFirst().orElseThrow();
        var events = SseClient.stream(survivor.client(), "/api/scans/" + id + "/events").collectList()
                .block(WAIT);
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);

        Map<String, Object> done = assertOneStream(events, 3072);
        List<String> ports = named(events, "port").stream().map(p -> p.get("ip") + ":" + p.get("port")).toList();
        assertThat(ports).hasSize(3072).doesNotHaveDuplicates();
        assertThat(rows(id)).containsExactlyInAnyOrderElementsOf(ports);
        // The stream on a survivor shows the takeover: the killed replica's ranges taken over from their watermarks.
        List<Map<String, Object>> takeovers = named(events, "shard").stream()
                .filter(s -> "taken-over".equals(s.get("action"))).toList();
        assertThat(takeovers).isNotEmpty().allMatch(s -> holder[0].equals(s.get("previous"))
                && !holder[0].equals(s.get("replica")));
        for (Map<String, Object> t : takeovers) {
            assertThat(SseClient.number(t, "watermark")).isBetween(SseClient.number(t, "from"), SseClient.number(t, "to"));
        }
        // The detection that died with the killed replica was run again by the one that took its range over: one
        // service event for the slow port, after its port event, and every open port of done and of the snapshot
        // has its detection.
        List<String> services = named(events, "service").stream().map(p -> p.get("ip") + ":" + p.get("port")).toList();
        assertThat(services).doesNotHaveDuplicates();
        List<Map<String, Object>> slowService = named(events, "service").stream()
                .filter(p -> SseClient.number(p, "port") == slow.getLocalPort()).toList();
        assertThat(slowService).singleElement().satisfies(p -> assertThat(p).containsEntry("service", "ssh")
                .containsEntry("method", "probed").containsEntry("banner", "SSH-2.0-Test_1.0"));
        List<?> openPorts = (List<?>) done.get("openPorts");
        assertThat(openPorts).hasSize(services.size())
                .allSatisfy(p -> assertThat(((Map<?, ?>) p).get("method")).isNotNull());
        assertThat(openPorts).anyMatch(p -> detectedSsh(p, slow.getLocalPort()));
        Map<?, ?> snapshot = snapshot(survivor.client(), id);
        assertThat((List<?>) snapshot.get("openPorts")).anyMatch(p -> detectedSsh(p, slow.getLocalPort()));
        System.out.printf("SIGKILL of %s while detecting: %d range(s) taken over; the scan ended %d ms after the kill "
                + "(lease %d ms), with the slow port detected%n", holder[0], takeovers.size(), tookMs,
                LEASE.toMillis());

        // What the survivors did shows in their metrics.
        List<String> scrapes = replicas.stream().filter(PortFluxProcess::alive)
                .map(r -> r.client().get().uri("/actuator/prometheus").exchange().expectStatus().isOk()
                        .expectBody(String.class).returnResult().getResponseBody())
                .toList();
        assertThat(scrapes.stream().mapToDouble(m -> metric(m, "portflux_shards_claimed_total")).sum())
                .isGreaterThan(takeovers.size());
        assertThat(scrapes.stream().mapToDouble(m -> metric(m, "portflux_shards_taken_over_total")).sum())
                .isGreaterThanOrEqualTo(takeovers.size());
        assertThat(scrapes.stream().mapToDouble(m -> metric(m, "portflux_shards_finished_total")).sum()).isPositive();
        assertThat(scrapes.stream().mapToDouble(m -> metric(m, "portflux_shards_lease_renewals_total")).sum())
                .isPositive();
        assertThat(scrapes).allSatisfy(m -> assertThat(metric(m, "portflux_shards_held")).isZero());
    }

    // An open port of done or the snapshot: {@code port}, detected as ssh by a conversation.
    private static boolean detectedSsh(Object openPort, int port) {
        Map<?, ?> p = (Map<?, ?>) openPort;
        return Integer.valueOf(port).equals(p.get("port")) && "ssh".equals(p.get("service"))
                && "probed".equals(p.get("method"));
    }

    /** How long {@link #slowGreeter} waits after a connection before it greets. */
    private static final Duration GREETING = Duration.ofSeconds(3);

    /**
     * A loopback listener that sends {@code greeting} {@link #GREETING} after each connection it accepts, then
     * closes it; it is closed with the class's other listeners.
     */
    private static ServerSocket slowGreeter(String greeting) throws IOException {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        listeners.add(server);
        Thread accepting = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    java.net.Socket s = server.accept();
                    Thread greeter = new Thread(() -> {
                        try (s) {
                            Thread.sleep(GREETING.toMillis());
                            s.getOutputStream().write(greeting.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                            s.getOutputStream().flush();
                            // Long enough for the detector to read it; then the connection closes.
                            s.setSoTimeout(2_000);
                            s.getInputStream().read();
                        } catch (IOException | InterruptedException ignored) {
                            // The prober's own connect is reset at once, and a killed replica's detection is gone.
                        }
                    }, "slow-greeting");
                    greeter.setDaemon(true);
                    greeter.start();
                } catch (IOException closed) {
                    return;
                }
            }
        }, "slow-greeter");
        accepting.setDaemon(true);
        accepting.start();
        return server;
    }

    // The replica holding the range that stored {@code port} open with no detection result yet, or null.
    private static String detectingHolder(String id, int port) throws Exception {
        String database = url.substring(url.lastIndexOf('/') + 1);
        try (Connection jdbc = DriverManager.getConnection(cluster.jdbcUrl(database), "postgres", "");
                ResultSet r = jdbc.createStatement().executeQuery("SELECT sh.holder FROM port_results p "
                        + "JOIN scan_shards sh ON sh.scan_id = p.scan_id AND sh.idx = p.shard_idx "
                        + "WHERE p.scan_id = '" + id + "' AND p.port = " + port + " AND p.state = 'open' "
                        + "AND p.method IS NULL AND sh.status = 'running'")) {
            return r.next() ? r.getString(1) : null;
        }
    }

    private static double metric(String scrape, String name) {
        return scrape.lines().filter(line -> line.startsWith(name + " ") || line.startsWith(name + "{"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }

    /**
     * Waits until {@code condition} holds once: a replica's holding ranges is a passing state (a range may
     * finish the moment after), so it is not asked again the way {@link Await#until} asks.
     */
    private static void reached(Await.Condition condition, String what) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + WAIT + ": " + what);
            }
            Thread.sleep(10);
        }
    }

    // Ranges the replica holds with less than half of them below the stored watermark: seconds of work left.
    private static int heldEarly(String id, String replica) throws Exception {
        return count("SELECT COUNT(*) FROM scan_shards WHERE scan_id = '" + id + "' AND status = 'running' "
                + "AND holder = '" + replica + "' AND watermark < range_from + (range_to - range_from) / 2");
    }

    private static int heldBy(String id, String replica) throws Exception {
        return count("SELECT COUNT(*) FROM scan_shards WHERE scan_id = '" + id + "' AND status = 'running' "
                + "AND holder = '" + replica + "'");
    }

    private static int handedBackBy(String id, String replica) throws Exception {
        return count("SELECT COUNT(*) FROM scan_shards WHERE scan_id = '" + id + "' AND last_holder = '" + replica
                + "'");
    }

    // No range that the replica handed back waits any more: each is held by another, or done.
    private static boolean resumedFrom(String id, String replica) throws Exception {
        return count("SELECT COUNT(*) FROM scan_shards WHERE scan_id = '" + id + "' AND last_holder = '" + replica
                + "' AND status = 'waiting'") == 0
                && count("SELECT COUNT(*) FROM scan_shards WHERE scan_id = '" + id + "' AND holder = '" + replica
                        + "' AND status = 'running'") == 0;
    }

    private static int count(String sql) throws Exception {
        String database = url.substring(url.lastIndexOf('/') + 1);
        try (Connection jdbc = DriverManager.getConnection(cluster.jdbcUrl(database), "postgres", "");
                ResultSet r = jdbc.createStatement().executeQuery(sql)) {
            r.next();
            return r.getInt(1);
        }
    }

    /**
     * "ip:port" of the sockets that accept connections to 127.0.0.1-8, from the kernel's tables: listening on
     * one of them (also as an IPv4-mapped IPv6 address), on 0.0.0.0, or on :: (dual-stack).
     */
    private static Set<String> listening() throws IOException {
        Set<String> found = new TreeSet<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            List<String> lines = Files.readAllLines(Path.of(table));
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (!"0A".equals(f[3])) {
                    continue;
                }
                String hex = f[1].substring(0, f[1].indexOf(':'));
                int port = Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16);
                String ip;
                if (hex.length() == 32 && hex.startsWith("0000000000000000FFFF0000")) {
                    // An IPv4-mapped address: Java's listeners are IPv6 sockets bound to ::ffff:127.0.0.x.
                    hex = hex.substring(24);
                }
                if (hex.length() == 8) {
                    long a = Long.parseLong(hex, 16);
                    ip = (a & 0xff) + "." + ((a >> 8) & 0xff) + "." + ((a >> 16) & 0xff) + "." + ((a >> 24) & 0xff);
                } else if (hex.matches("0+")) {
                    ip = "0.0.0.0";
                } else {
                    continue;
                }
                for (int host = 1; host <= 8; host++) {
                    if (ip.equals("0.0.0.0") || ip.equals("127.0.0." + host)) {
                        found.add("127.0.0." + host + ":" + port);
                    }
                }
            }
        }
        return found;
    }
}
