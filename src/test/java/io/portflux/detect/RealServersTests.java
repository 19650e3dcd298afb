package io.portflux.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.portflux.probe.InFlightBudget;
import io.portflux.scan.service.ServiceDetector.Detection;
import io.portflux.target.TargetPolicy;
import io.portflux.testing.Listeners;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.netty.resources.LoopResources;

/**
 * RealServersTests run Debian's own servers (installed by test.sh) on loopback ports of the test's choosing,
 * each as a child process with its configuration in a temporary directory, and check that detection names
 * each one, with product and version where the server announces them. Outside CI a missing server skips its
 * test with one line; under CI=true it fails.
 */
class RealServersTests {

    private static final LoopResources LOOPS = LoopResources.create("detect-real", 1, true);
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final InFlightBudget budget = new InFlightBudget(64);
    private final NettyServiceDetector detector = new NettyServiceDetector(LOOPS, TargetPolicy.loopback(), budget,
            new DetectProperties(true, Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofMillis(1500), Duration.ofSeconds(3), 4096, 160,
                    8, Set.of(), Set.of()));

    @AfterAll
    static void closeLoops() {
        LOOPS.dispose();
    }

    private Detection detect(int port, Daemon daemon) {
        // A loopback connect takes next to nothing: the greeting wait is its minimum, as in a real loopback scan.
        List<Detection> found = detector.detect(new InetSocketAddress(LOOPBACK, port), Duration.ZERO).flux().collectList()
                .block(Duration.ofSeconds(10));
        assertThat(found).as("detection of %s; its output:%n%s", daemon, daemon.output()).hasSize(1);
        return found.get(0);
    }

    private static int port() throws Exception {
        return Listeners.unusedPort(LOOPBACK);
    }

    @Test
    void openssh(@TempDir Path dir) throws Exception {
        Daemon.require("/usr/sbin/sshd", "openssh-server");
        Daemon.require("/usr/bin/ssh-keygen", "openssh-client");
        int port = port();
        Path key = dir.resolve("host_ed25519");
        run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString()));
        // sshd insists on its privilege separation directory; the package's service would make it.
        Files.createDirectories(Path.of("/run/sshd"));
        Files.writeString(dir.resolve("sshd_config"), "ListenAddress 127.0.0.1\nPort " + port + "\nHostKey " + key
                + "\nPidFile " + dir.resolve("sshd.pid") + "\nUsePAM no\n");
        try (Daemon sshd = Daemon.start("sshd", dir, List.of("/usr/sbin/sshd", "-D", "-e", "-f",
                dir.resolve("sshd_config").toString()), port)) {
            Detection found = detect(port, sshd);
            assertThat(found.service()).isEqualTo("ssh");
            assertThat(found.product()).isEqualTo("OpenSSH");
            assertThat(found.version()).matches("\\d+\\.\\d+p\\d+");
        }
    }

    @Test
    void vsftpd(@TempDir Path dir) throws Exception {
        Daemon.require("/usr/sbin/vsftpd", "vsftpd");
        int port = port();
        Path empty = Files.createDirectory(dir.resolve("empty"));
        Files.setPosixFilePermissions(empty, PosixFilePermissions.fromString("r-xr-xr-x"));
        Path conf = dir.resolve("vsftpd.conf");
        Files.writeString(conf, String.join("\n", "listen=YES", "listen_ipv6=NO", "listen_address=127.0.0.1",
                "listen_port=" + port, "background=NO", "anonymous_enable=NO",
                // vsftpd refuses to start with no kind of login enabled; the test never logs in.
                "local_enable=YES",
                "secure_chroot_dir=" + empty, "seccomp_sandbox=NO", "xferlog_enable=NO", "") );
        try (Daemon ftp = Daemon.start("vsftpd", dir, List.of("/usr/sbin/vsftpd", conf.toString()), port)) {
            Detection found = detect(port, ftp);
            assertThat(found.service()).isEqualTo("ftp");
            assertThat(found.product()).isEqualTo("vsFTPd");
            assertThat(found.version()).matches("\\d+\\.\\d+\\.\\d+");
        }
    }

    @Test
    void dnsmasq(@TempDir Path dir) throws Exception {
        Daemon.require("/usr/sbin/dnsmasq", "dnsmasq-base");
        int port = port();
        try (Daemon dns = Daemon.start("dnsmasq", dir, List.of("/usr/sbin/dnsmasq", "--keep-in-foreground",
                "--conf-file=/dev/null", "--port=" + port, "--listen-address=127.0.0.1", "--bind-interfaces",
                "--no-resolv", "--no-hosts", "--pid-file=" + dir.resolve("dnsmasq.pid"), "--user=root",
                "--log-facility=-"), port)) {
            Detection found = detect(port, dns);
            assertThat(found.service()).isEqualTo("domain");
            assertThat(found.product()).isEqualTo("dnsmasq");
            assertThat(found.version()).matches("\\d+\\.\\d+");
        }
    }

    @Test
    void nginxOverHttpAndTls(@TempDir Path dir) throws Exception {
        Daemon.require("/usr/sbin/nginx", "nginx");
        TestTls cert = TestTls.create(dir);
        int http = port();
        int https = port();
        Files.createDirectories(dir.resolve("logs"));
        Files.writeString(dir.resolve("nginx.conf"), String.join("\n",
                "worker_processes 1;",
                "pid " + dir.resolve("nginx.pid") + ";",
                "error_log " + dir.resolve("error.log") + ";",
                "events { worker_connections 64; }",
                "http {",
                "  access_log off;",
                "  client_body_temp_path " + dir.resolve("body") + ";",
                "  proxy_temp_path " + dir.resolve("proxy") + ";",
                "  fastcgi_temp_path " + dir.resolve("fastcgi") + ";",
                "  uwsgi_temp_path " + dir.resolve("uwsgi") + ";",
                "  scgi_temp_path " + dir.resolve("scgi") + ";",
                "  server { listen 127.0.0.1:" + http + "; location / { return 200 'ok'; } }",
                "  server { listen 127.0.0.1:" + https + " ssl; ssl_certificate " + cert.cert + "; ssl_certificate_key "
                        + cert.key + "; location / { return 200 'ok'; } }",
                "}", ""));
        try (Daemon nginx = Daemon.start("nginx", dir, List.of("/usr/sbin/nginx", "-p", dir.toString(), "-e",
                dir.resolve("error.log").toString(), "-c", dir.resolve("nginx.conf").toString(), "-g", "daemon off;"),
                http, https)) {
            Detection plain = detect(http, nginx);
            assertThat(plain.service()).isEqualTo("http");
            assertThat(plain.product()).isEqualTo("nginx");
            assertThat(plain.version()).matches("\\d+\\.\\d+\\.\\d+");
            assertThat(plain.tls()).isNull();

            Detection tls = detect(https, nginx);
            assertThat(tls.service()).isEqualTo("https");
            assertThat(tls.product()).isEqualTo("nginx");
            assertThat(tls.version()).isEqualTo(plain.version());
            assertThat(tls.tls()).isNotNull();
            assertThat(tls.tls().version()).startsWith("TLSv1.");
            assertThat(tls.tls().subject()).isEqualTo("CN=fake.test");
            assertThat(tls.tls().sans()).contains("fake.test");
        }
    }

    @Test
    void opensmtpd(@TempDir Path dir) throws Exception {
        Daemon.require("/usr/sbin/smtpd", "opensmtpd");
        int port = port();
        Path conf = dir.resolve("smtpd.conf");
        Files.writeString(conf, "listen on 127.0.0.1 port " + port + "\naction \"local\" mbox\n"
                + "match from local for local action \"local\"\n");
        try (Daemon smtpd = Daemon.start("smtpd", dir, List.of("/usr/sbin/smtpd", "-d", "-f", conf.toString()), port)) {
            Detection found = detect(port, smtpd);
            assertThat(found.service()).isEqualTo("smtp");
            assertThat(found.product()).isEqualTo("OpenSMTPD");
        }
    }

    @Test
    void dovecotPop3AndImap(@TempDir Path dir) throws Exception {
        Daemon.require("/usr/sbin/dovecot", "dovecot-pop3d dovecot-imapd");
        int imap = port();
        int pop3 = port();
        Files.createDirectories(dir.resolve("run"));
        Files.writeString(dir.resolve("passwd"), "");
        Files.writeString(dir.resolve("dovecot.conf"), String.join("\n",
                "base_dir = " + dir.resolve("run"),
                "state_dir = " + dir.resolve("state"),
                "log_path = " + dir.resolve("dovecot.log"),
                "protocols = imap pop3",
                "listen = 127.0.0.1",
                "ssl = no",
                "mail_location = maildir:" + dir.resolve("mail") + "/%u",
                "passdb {", "  driver = passwd-file", "  args = " + dir.resolve("passwd"), "}",
                "userdb {", "  driver = static", "  args = uid=nobody gid=nogroup home=" + dir.resolve("home") + "/%u", "}",
                "service imap-login {",
                "  inet_listener imap {", "    address = 127.0.0.1", "    port = " + imap, "  }",
                "  inet_listener imaps {", "    port = 0", "  }",
                "}",
                "service pop3-login {",
                "  inet_listener pop3 {", "    address = 127.0.0.1", "    port = " + pop3, "  }",
                "  inet_listener pop3s {", "    port = 0", "  }",
                "}", ""));
        try (Daemon dovecot = Daemon.start("dovecot", dir, List.of("/usr/sbin/dovecot", "-F", "-c",
                dir.resolve("dovecot.conf").toString()), imap, pop3)) {
            // Until its auth process answers, Dovecot greets with "* OK Waiting for authentication process to
            // respond..", which names no product: the test waits for the server to be ready, as a client would.
            awaitGreeting(imap, "Dovecot");
            awaitGreeting(pop3, "Dovecot");
            assertThat(detect(imap, dovecot)).extracting(Detection::service, Detection::product)
                    .containsExactly("imap", "Dovecot");
            assertThat(detect(pop3, dovecot)).extracting(Detection::service, Detection::product)
                    .containsExactly("pop3", "Dovecot");
        }
    }

    @Test
    void inetutilsTelnetd(@TempDir Path dir) throws Exception {
        Daemon.require("/usr/sbin/inetutils-inetd", "inetutils-inetd");
        Daemon.require("/usr/sbin/telnetd", "inetutils-telnetd");
        int port = port();
        Path conf = dir.resolve("inetd.conf");
        Files.writeString(conf, "127.0.0.1:" + port + " stream tcp nowait root /usr/sbin/telnetd telnetd\n");
        try (Daemon inetd = Daemon.start("inetd", dir, List.of("/usr/sbin/inetutils-inetd", "-d",
                "--pidfile=" + dir.resolve("inetd.pid"), conf.toString()), port)) {
            assertThat(detect(port, inetd).service()).isEqualTo("telnet");
        }
    }

    /** Reads greetings from {@code port} until one contains {@code text}: the server is ready. */
    private static void awaitGreeting(int port, String text) throws Exception {
        io.portflux.testing.Await.until(() -> {
            try (java.net.Socket s = new java.net.Socket(LOOPBACK, port)) {
                s.setSoTimeout(2_000);
                byte[] buf = new byte[512];
                int n = s.getInputStream().read(buf);
                return n > 0 && new String(buf, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1).contains(text);
            } catch (java.io.IOException e) {
                return false;
            }
        }, "a greeting from port " + port + " that names " + text, Duration.ofSeconds(20));
    }

    private static void run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (p.waitFor() != 0) {
            throw new IllegalStateException(command + " failed: " + new String(out));
        }
    }
}
