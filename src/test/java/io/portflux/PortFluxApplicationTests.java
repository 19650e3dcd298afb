package io.portflux;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** PortFluxApplicationTests check the JVM settings {@code main} makes before Spring starts. */
class PortFluxApplicationTests {

    private String before;

    @BeforeEach
    void remember() {
        before = System.getProperty(PortFluxApplication.NETTY_JFR);
    }

    @AfterEach
    void restore() {
        if (before == null) {
            System.clearProperty(PortFluxApplication.NETTY_JFR);
        } else {
            System.setProperty(PortFluxApplication.NETTY_JFR, before);
        }
    }

    @Test
    void nettysJfrEventsAreOffByDefault() {
        System.clearProperty(PortFluxApplication.NETTY_JFR);
        PortFluxApplication.nettyJfrEventsOffUnlessAsked();
        assertThat(System.getProperty(PortFluxApplication.NETTY_JFR)).isEqualTo("false");
    }

    @Test
    void nettysJfrEventsStayOnWhenAskedFor() {
        System.setProperty(PortFluxApplication.NETTY_JFR, "true");
        PortFluxApplication.nettyJfrEventsOffUnlessAsked();
        assertThat(System.getProperty(PortFluxApplication.NETTY_JFR)).isEqualTo("true");
    }
}
