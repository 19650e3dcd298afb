package io.portflux.port;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ServiceNamesTests {

    @ParameterizedTest
    @CsvSource({
        "22, ssh",
        "80, http",
        "443, https",
        "21, ftp",
        "25, smtp",
        "5432, postgresql",
        "6379, redis",
        // not in /etc/services, named by nmap-services
        "3389, ms-wbt-server",
        // in neither source, named by PortFlux
        "10250, kubelet",
    })
    void namesWellKnownPorts(int port, String name) {
        assertThat(ServiceNames.of(port)).contains(name);
    }

    @Test
    void hasNoNameForUnnamedPorts() {
        assertThat(ServiceNames.of(65533)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, 65536})
    void rejectsInvalidPorts(int port) {
        assertThatThrownBy(() -> ServiceNames.of(port)).isInstanceOf(IllegalArgumentException.class);
    }
}
