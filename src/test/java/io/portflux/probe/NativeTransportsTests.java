package io.portflux.probe;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The jar carries Netty's native transports for both Linux architectures that pods run on, so an arm64
 * pod probes on io_uring or epoll rather than falling back to NIO without a word.
 */
class NativeTransportsTests {

    @ParameterizedTest(name = "{0} on {1}")
    @CsvSource({"epoll, x86_64", "epoll, aarch_64", "io_uring42, x86_64", "io_uring42, aarch_64"})
    void theNativeLibraryIsPackaged(String transport, String architecture) {
        String library = "META-INF/native/libnetty_transport_native_" + transport + "_" + architecture + ".so";
        assertThat(getClass().getClassLoader().getResource(library)).as(library).isNotNull();
    }
}
