package io.portflux.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.portflux.scan.service.ServiceDetector.Detection;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class GreetingsTests {

    private static Detection said(String greeting, int port) {
        return Greetings.classify(new Reply(greeting.getBytes(StandardCharsets.ISO_8859_1), null, false, false, false),
                port, 160);
    }

    @Test
    void namesTheClassicGreetingsWithProductAndVersion() {
        assertThat(said("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n", 2222))
                .isEqualTo(new Detection("ssh", "OpenSSH", "9.2p1", "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3", null));
        assertThat(said("220 (vsFTPd 3.0.3)\r\n", 2121)).extracting(Detection::service, Detection::product, Detection::version)
                .containsExactly("ftp", "vsFTPd", "3.0.3");
        assertThat(said("220 mail.test ESMTP OpenSMTPD\r\n", 2525)).extracting(Detection::service, Detection::product)
                .containsExactly("smtp", "OpenSMTPD");
        assertThat(said("+OK Dovecot (Debian) ready.\r\n", 1110)).extracting(Detection::service, Detection::product)
                .containsExactly("pop3", "Dovecot");
        assertThat(said("* OK [CAPABILITY IMAP4rev1 SASL-IR] Dovecot (Debian) ready.\r\n", 1143))
                .extracting(Detection::service, Detection::product).containsExactly("imap", "Dovecot");
        assertThat(said("220 ProFTPD 1.3.8 Server ready.\r\n", 21)).extracting(Detection::service, Detection::version)
                .containsExactly("ftp", "1.3.8");
    }

    @Test
    void a220WithNeitherNameIsToldApartByItsPort() {
        assertThat(said("220 ready\r\n", 25).service()).isEqualTo("smtp");
        assertThat(said("220 ready\r\n", 2121).service()).isEqualTo("ftp");
    }

    @Test
    void multiLineRepliesAreCompleteOnlyAtTheirLastLine() {
        assertThat(Greetings.complete(reply("220-first\r\n"))).isFalse();
        assertThat(Greetings.complete(reply("220-first\r\n220 mx ESMTP\r\n"))).isTrue();
        assertThat(Greetings.complete(reply("SSH-2.0-x"))).isFalse();
        assertThat(Greetings.complete(reply("SSH-2.0-x\r\n"))).isTrue();
    }

    @Test
    void aCloseBeforeAnyByteIsTcpwrappedAndSilenceIsNothing() {
        assertThat(Greetings.classify(new Reply(new byte[0], null, false, true, false), 1, 160).service())
                .isEqualTo("tcpwrapped");
        assertThat(Greetings.classify(new Reply(new byte[0], null, false, false, true), 1, 160)).isNull();
    }

    @Test
    void bannersArePrintableAndCapped() {
        assertThat(Greetings.banner("a\u0000\u0001b\r\n\tc\u00ff".getBytes(StandardCharsets.ISO_8859_1), 160)).isEqualTo("a b c");
        assertThat(Greetings.banner("x".repeat(1000).getBytes(StandardCharsets.ISO_8859_1), 40)).hasSize(40);
        assertThat(Greetings.banner(new byte[] {1, 2, 3}, 40)).isNull();
    }

    @Test
    void productAndVersionFromServerHeadersAndVersionBind() {
        assertThat(Greetings.nameAndVersion("nginx/1.22.1")).containsExactly("nginx", "1.22.1");
        assertThat(Greetings.nameAndVersion("Apache/2.4.57 (Debian)")).containsExactly("Apache", "2.4.57");
        assertThat(Greetings.nameAndVersion("dnsmasq-2.90")).containsExactly("dnsmasq", "2.90");
        assertThat(Greetings.nameAndVersion("nginx")).containsExactly("nginx", null);
        assertThat(Greetings.nameAndVersion(null)).containsExactly(null, null);
    }

    private static Reply reply(String text) {
        return new Reply(text.getBytes(StandardCharsets.ISO_8859_1), null, false, false, false);
    }
}
