package io.portflux.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portflux.probe.InFlightBudget;
import io.portflux.scan.service.ServiceDetector.Detection;
import io.portflux.target.TargetPolicy;
import io.portflux.testing.Await;
import java.io.DataInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLServerSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.netty.resources.LoopResources;

/**
 * NettyServiceDetectorTests talk to in-process fakes on loopback: one per greeting, the silent ports that
 * need a probe, and the edge cases (a slow greeting, a close right after accept, garbage, an oversized
 * banner, a TLS port that speaks plain HTTP). One fake records every byte it is sent, to prove that no probe
 * outside the safe list ever goes out.
 */
class NettyServiceDetectorTests {

    private static final LoopResources LOOPS = LoopResources.create("detect-test", 1, true);
    private static final Duration GREETING = Duration.ofMillis(300);

    private final InFlightBudget budget = new InFlightBudget(64);

    @AfterAll
    static void closeLoops() {
        LOOPS.dispose();
    }

    private NettyServiceDetector detector(Set<Integer> tlsPorts, Set<Integer> dnsPorts) {
        DetectProperties settings = new DetectProperties(true, GREETING, GREETING, Duration.ofMillis(1500), Duration.ofSeconds(4),
                4096, 80, 8, tlsPorts, dnsPorts);
        return new NettyServiceDetector(LOOPS, TargetPolicy.loopback(), budget, settings);
    }

    private Detection detect(FakeServer server) {
        return detect(server, Set.of(), Set.of());
    }

    private Detection detect(FakeServer server, Set<Integer> tlsPorts, Set<Integer> dnsPorts) {
        List<Detection> found = detector(tlsPorts, dnsPorts).detect(server.address()).flux().collectList()
                .block(Duration.ofSeconds(10));
        // A slot goes back when its socket has closed, which the event loop does just after the answer.
        try {
            Await.until(() -> budget.inUse() == 0, "every detection connection closed and gave its budget slot back");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        assertThat(found).hasSizeLessThanOrEqualTo(1);
        return found.isEmpty() ? null : found.get(0);
    }

    /** Writes {@code greeting} at once, then reads (and records) whatever comes until the client leaves. */
    private static FakeServer greeting(String greeting) throws Exception {
        return new FakeServer((socket, received) -> {
            socket.getOutputStream().write(greeting.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            received.drain(socket.getInputStream());
        });
    }

    /** Says nothing first; answers an HTTP request with {@code Server: server}, anything else with silence. */
    private static FakeServer.Behaviour http(String server) {
        return (socket, received) -> {
            InputStream in = socket.getInputStream();
            byte[] buf = new byte[4096];
            StringBuilder request = new StringBuilder();
            for (int n; (n = in.read(buf)) >= 0; ) {
                received.add(buf, 0, n);
                request.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                if (request.indexOf("\r\n\r\n") >= 0) {
                    if (request.toString().startsWith("HEAD / HTTP/1.0")) {
                        socket.getOutputStream().write(("HTTP/1.1 200 OK\r\nServer: " + server
                                + "\r\nContent-Length: 5\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    } else {
                        socket.getOutputStream().write("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    }
                    socket.getOutputStream().flush();
                    return;
                }
            }
        };
    }

    @Test
    void namesEachClassicGreetingFromItsFirstLine() throws Exception {
        try (FakeServer ssh = greeting("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n");
                FakeServer ftp = greeting("220 (vsFTPd 3.0.3)\r\n");
                FakeServer smtp = greeting("220-mail.test ESMTP OpenSMTPD\r\n220 ready\r\n");
                FakeServer pop3 = greeting("+OK Dovecot (Debian) ready.\r\n");
                FakeServer imap = greeting("* OK [CAPABILITY IMAP4rev1] Dovecot (Debian) ready.\r\n")) {
            assertThat(detect(ssh)).extracting(Detection::service, Detection::product, Detection::version)
                    .containsExactly("ssh", "OpenSSH", "9.2p1");
            assertThat(detect(ftp)).extracting(Detection::service, Detection::product, Detection::version)
                    .containsExactly("ftp", "vsFTPd", "3.0.3");
            assertThat(detect(smtp)).extracting(Detection::service, Detection::product).containsExactly("smtp", "OpenSMTPD");
            assertThat(detect(pop3)).extracting(Detection::service, Detection::product).containsExactly("pop3", "Dovecot");
            assertThat(detect(imap)).extracting(Detection::service, Detection::product).containsExactly("imap", "Dovecot");
            assertThat(detect(ssh).banner()).isEqualTo("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3");
        }
    }

    @Test
    void telnetNegotiationIsRecognisedAndEveryOptionRefused() throws Exception {
        byte[] negotiation = {(byte) 255, (byte) 253, 24, (byte) 255, (byte) 251, 1, (byte) 255, (byte) 253, 31};
        try (FakeServer telnet = new FakeServer((socket, received) -> {
            socket.getOutputStream().write(negotiation);
            socket.getOutputStream().flush();
            received.drain(socket.getInputStream());
        })) {
            assertThat(detect(telnet).service()).isEqualTo("telnet");
            // The refusals were written before the detector closed; the server thread records them as they come.
            Await.until(() -> telnet.received().get(0).length >= 9, "the server got the detector's refusals");
            byte[] answers = telnet.received().get(0);
            // DO TERMINAL-TYPE → WONT; WILL ECHO → DONT; DO NAWS → WONT; and nothing else.
            assertThat(answers).containsExactly(255, 252, 24, 255, 254, 1, 255, 252, 31);
        }
    }

    @Test
    void aGreetingThatTricklesInWithinTheWaitIsRead() throws Exception {
        try (FakeServer slow = new FakeServer((socket, received) -> {
            for (byte b : "SSH-2.0-Slow_1.0\r\n".getBytes(StandardCharsets.ISO_8859_1)) {
                socket.getOutputStream().write(b);
                socket.getOutputStream().flush();
                Thread.sleep(10); // the server's own pace: a byte every 10 ms, well within the greeting wait
            }
            received.drain(socket.getInputStream());
        })) {
            assertThat(detect(slow)).extracting(Detection::service, Detection::product, Detection::version)
                    .containsExactly("ssh", "Slow", "1.0");
        }
    }

    @Test
    void aGreetingThatComesAfterTheWaitIsStillNamed() throws Exception {
        // An SMTP greet pause longer than the greeting wait: the HEAD probe goes out, and the greeting comes anyway.
        try (FakeServer paused = new FakeServer((socket, received) -> {
            Thread.sleep(GREETING.toMillis() + 300); // the server's greet pause, longer than the detector waits
            socket.getOutputStream().write("220 mail.test ESMTP OpenSMTPD\r\n".getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            received.drain(socket.getInputStream());
        })) {
            assertThat(detect(paused)).extracting(Detection::service, Detection::product).containsExactly("smtp", "OpenSMTPD");
        }
    }

    @Test
    void aTelnetServerThatNegotiatesOnlyAfterTheWaitIsNamedWithoutWaitingOutTheProbes() throws Exception {
        // inetd starting telnetd on a busy machine: the negotiation comes after the greeting wait, and then nothing
        // until options are answered; no line, no HTTP answer, no TLS.
        byte[] negotiation = {(byte) 255, (byte) 253, 24, (byte) 255, (byte) 251, 1};
        try (FakeServer telnet = new FakeServer((socket, received) -> {
            Thread.sleep(GREETING.toMillis() + 300);
            socket.getOutputStream().write(negotiation);
            socket.getOutputStream().flush();
            received.drain(socket.getInputStream());
        })) {
            long start = System.nanoTime();
            assertThat(detect(telnet).service()).isEqualTo("telnet");
            // Not after the HTTP and TLS probes' timeout (1.5 s after the wait): named when the negotiation came.
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(GREETING.plusMillis(1200));
        }
    }

    @Test
    void aCloseRightAfterAcceptIsTcpwrapped() throws Exception {
        try (FakeServer wrapped = new FakeServer((socket, received) -> socket.close())) {
            assertThat(detect(wrapped).service()).isEqualTo("tcpwrapped");
        }
    }

    @Test
    void garbageGivesNoServiceButAPrintableBanner() throws Exception {
        try (FakeServer garbage = greeting("\u0001\u0002xq#\u0000zz\u0007 9\r\n")) {
            Detection found = detect(garbage);
            assertThat(found.service()).isNull();
            assertThat(found.banner()).isEqualTo("xq# zz 9");
        }
    }

    @Test
    void anOversizedBannerIsCutAtTheByteCapAndTheBannerLength() throws Exception {
        try (FakeServer flood = new FakeServer((socket, received) -> {
            byte[] chunk = new byte[64 * 1024];
            Arrays.fill(chunk, (byte) 'A');
            OutputStream out = socket.getOutputStream();
            for (int i = 0; i < 160; i++) { // 10 MiB with no line end; the detector stops reading long before
                out.write(chunk);
            }
        })) {
            long start = System.nanoTime();
            Detection found = detect(flood);
            assertThat(found.service()).isNull();
            assertThat(found.banner()).hasSize(80).matches("A+");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        }
    }

    @Test
    void aSilentHttpServerIsNamedFromItsServerHeader() throws Exception {
        try (FakeServer web = new FakeServer(http("FakeHTTP/2.1 (Test)"))) {
            Detection found = detect(web);
            assertThat(found).extracting(Detection::service, Detection::product, Detection::version)
                    .containsExactly("http", "FakeHTTP", "2.1");
            assertThat(found.tls()).isNull();
            assertThat(found.banner()).startsWith("HTTP/1.1 200 OK");
            assertThat(web.received()).as("a 200 decides: the server gets no TLS or DNS connection").hasSize(1);
        }
    }

    @Test
    void anHttp400WaitsForTheTlsProbeBecauseATlsServerAnswersPlainRequestsSo() throws Exception {
        try (FakeServer picky = new FakeServer((socket, received) -> {
            InputStream in = socket.getInputStream();
            byte[] buf = new byte[4096];
            StringBuilder request = new StringBuilder();
            for (int n; request.indexOf("\r\n\r\n") < 0 && (n = in.read(buf)) >= 0; ) {
                received.add(buf, 0, n);
                request.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
            }
            if (request.indexOf("\r\n\r\n") >= 0) {
                socket.getOutputStream().write("HTTP/1.1 400 Bad Request\r\nServer: picky\r\n\r\n"
                        .getBytes(StandardCharsets.ISO_8859_1));
            }
        })) {
            Detection found = detect(picky);
            assertThat(found).extracting(Detection::service, Detection::product).containsExactly("http", "picky");
            assertThat(picky.received()).as("the TLS and DNS probes were asked too").hasSize(3);
        }
    }

    @Test
    void aTlsPortThatSpeaksPlainHttpIsNamedHttp() throws Exception {
        try (FakeServer web = new FakeServer(http("Plain/1.0"))) {
            Detection found = detect(web, Set.of(web.port()), Set.of());
            assertThat(found).extracting(Detection::service, Detection::product).containsExactly("http", "Plain");
            assertThat(found.tls()).isNull();
        }
    }

    @Test
    void aTlsServerGivesItsSessionCertificateAndTheServerHeaderInside(@TempDir Path dir) throws Exception {
        SSLServerSocket tlsSocket = TestTls.create(dir).serverSocket();
        try (FakeServer tls = new FakeServer(tlsSocket, http("SecureFake/3.4"))) {
            Detection found = detect(tls);
            assertThat(found).extracting(Detection::service, Detection::product, Detection::version)
                    .containsExactly("https", "SecureFake", "3.4");
            assertThat(found.tls()).isNotNull();
            assertThat(found.tls().version()).startsWith("TLSv1.");
            assertThat(found.tls().subject()).isEqualTo("CN=fake.test");
            assertThat(found.tls().sans()).contains("fake.test", "127.0.0.1");
        }
    }

    @Test
    void aDnsServerOverTcpAnswersVersionBind() throws Exception {
        try (FakeServer dns = new FakeServer(NettyServiceDetectorTests::versionBind)) {
            Detection found = detect(dns);
            assertThat(found).extracting(Detection::service, Detection::product, Detection::version)
                    .containsExactly("domain", "fakedns", "1.5");
        }
    }

    @Test
    void aSilentPortGetsOnlyTheThreeSafeProbesAndNothingElse() throws Exception {
        try (FakeServer silent = new FakeServer((socket, received) -> received.drain(socket.getInputStream()));
                FakeServer smtp = greeting("220 mail.test ESMTP OpenSMTPD\r\n");
                FakeServer ftp = greeting("220 (vsFTPd 3.0.3)\r\n")) {
            assertThat(detect(silent)).isNull();
            detect(smtp);
            detect(ftp);
            List<byte[]> probes = silent.received();
            assertThat(probes).hasSize(3);
            int http = 0;
            int tls = 0;
            int dns = 0;
            for (byte[] sent : probes) {
                String text = new String(sent, StandardCharsets.ISO_8859_1);
                if (text.startsWith("HEAD / HTTP/1.0\r\n")) {
                    http++;
                    assertThat(text).isEqualTo("HEAD / HTTP/1.0\r\n\r\n");
                } else if (sent.length > 5 && sent[0] == 0x16 && sent[1] == 0x03) {
                    tls++; // a TLS handshake record: the ClientHello
                } else {
                    dns++;
                    assertThat(dnsQuestion(sent)).isEqualTo("version.bind TXT CH");
                }
            }
            assertThat(new int[] {http, tls, dns}).containsExactly(1, 1, 1);
            for (FakeServer greeter : List.of(smtp, ftp)) {
                assertThat(greeter.received()).as("a greeting is read, never answered")
                        .allSatisfy(sent -> assertThat(sent).isEmpty());
            }
            for (FakeServer any : List.of(silent, smtp, ftp)) {
                for (byte[] sent : any.received()) {
                    String text = new String(sent, StandardCharsets.ISO_8859_1).toUpperCase();
                    assertThat(text).doesNotContain("MAIL", "RCPT", "POST", "USER", "PASS", "AUTH", "LOGIN");
                }
            }
        }
    }

    @Test
    void anAddressOutsideTheTargetPolicyIsRefusedBeforeAnyConnection() {
        // TEST-NET-1 (RFC 5737): never routed, and the policy refuses it before a socket is opened.
        InetSocketAddress outside = new InetSocketAddress(ipv4(192, 0, 2, 1), 80);
        assertThatThrownBy(() -> detector(Set.of(), Set.of()).detect(outside).block(Duration.ofSeconds(5)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(budget.inUse()).isZero();
    }

    @Test
    void theGreetingWaitGrowsWithTheConnectRoundTripUpToItsCap() {
        DetectProperties settings = new DetectProperties(true, Duration.ofMillis(100), Duration.ofMillis(500),
                Duration.ofMillis(1500), Duration.ofSeconds(3), 4096, 80, 8, Set.of(), Set.of());
        NettyServiceDetector d = new NettyServiceDetector(LOOPS, TargetPolicy.loopback(), budget, settings);
        assertThat(d.greetingWait(Duration.ZERO)).isEqualTo(Duration.ofMillis(100));
        assertThat(d.greetingWait(Duration.ofMillis(50))).isEqualTo(Duration.ofMillis(300));
        assertThat(d.greetingWait(Duration.ofMillis(200))).isEqualTo(Duration.ofMillis(500));
        assertThat(d.greetingWait(null)).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void printerPortsAreLeftAlone() {
        InetSocketAddress printer = new InetSocketAddress(ipv4(127, 0, 0, 1), 9100);
        assertThat(detector(Set.of(), Set.of()).detect(printer).block(Duration.ofSeconds(5))).isNull();
    }

    private static java.net.InetAddress ipv4(int a, int b, int c, int d) {
        try {
            return java.net.InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** A DNS-over-TCP server that answers one version.bind CH TXT query with "fakedns-1.5". */
    private static void versionBind(Socket socket, FakeServer.Received received) throws Exception {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        int length = in.readUnsignedShort();
        byte[] query = new byte[length];
        in.readFully(query);
        received.add(new byte[] {(byte) (length >> 8), (byte) length}, 0, 2);
        received.add(query, 0, length);
        if (!"version.bind TXT CH".equals(question(query))) {
            return;
        }
        int questionEnd = 12 + nameLength(query, 12) + 4;
        byte[] txt = "fakedns-1.5".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer answer = ByteBuffer.allocate(questionEnd + 12 + 1 + txt.length);
        answer.put(query, 0, 2); // id
        answer.putShort((short) 0x8400); // response, authoritative
        answer.putShort((short) 1).putShort((short) 1).putShort((short) 0).putShort((short) 0);
        answer.put(query, 12, questionEnd - 12);
        answer.putShort((short) 0xc00c).putShort((short) 16).putShort((short) 3).putInt(0);
        answer.putShort((short) (1 + txt.length)).put((byte) txt.length).put(txt);
        OutputStream out = socket.getOutputStream();
        out.write(new byte[] {(byte) (answer.position() >> 8), (byte) answer.position()});
        out.write(answer.array(), 0, answer.position());
        out.flush();
        received.drain(in);
    }

    /** The question of a length-prefixed DNS query: "name TYPE CLASS". */
    private static String dnsQuestion(byte[] framed) {
        return question(Arrays.copyOfRange(framed, 2, framed.length));
    }

    private static String question(byte[] query) {
        StringBuilder name = new StringBuilder();
        int at = 12;
        while (query[at] != 0) {
            int len = query[at];
            if (name.length() > 0) {
                name.append('.');
            }
            name.append(new String(query, at + 1, len, StandardCharsets.US_ASCII));
            at += len + 1;
        }
        at++;
        int type = ((query[at] & 0xff) << 8) | (query[at + 1] & 0xff);
        int klass = ((query[at + 2] & 0xff) << 8) | (query[at + 3] & 0xff);
        return name + " " + (type == 16 ? "TXT" : "type" + type) + " " + (klass == 3 ? "CH" : "class" + klass);
    }

    private static int nameLength(byte[] query, int start) {
        int at = start;
        while (query[at] != 0) {
            at += query[at] + 1;
        }
        return at - start + 1;
    }
}
