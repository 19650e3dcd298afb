package io.portflux.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelException;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.Errors;
import io.portflux.scan.ProbeOutcome;
import io.portflux.scan.Reason;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class ConnectErrorsTests {

    private static final Duration RTT = Duration.ofMillis(3);

    private static ProbeOutcome classify(Throwable t) {
        return ConnectErrors.classify(t, RTT);
    }

    @Test
    void nettyConnectTimeoutIsNoResponseEvenThoughItIsAConnectException() {
        ConnectTimeoutException timeout = new ConnectTimeoutException("connection timed out after 300 ms: /127.0.0.1:9");
        assertThat(timeout).isInstanceOf(ConnectException.class);
        assertThat(classify(timeout)).isEqualTo(new ProbeOutcome.NoResponse(RTT));
    }

    @Test
    void kernelConnectTimeoutIsNoResponse() {
        assertThat(classify(new ConnectException("finishConnect(..) failed with error(-110): Connection timed out")))
                .isEqualTo(new ProbeOutcome.NoResponse(RTT));
        assertThat(classify(new ConnectException("Connection timed out"))).isEqualTo(new ProbeOutcome.NoResponse(RTT));
    }

    static Stream<Arguments> refusedForms() {
        return Stream.of(
                Arguments.of("epoll, errno in message",
                        new ConnectException("finishConnect(..) failed with error(-111): Connection refused: /127.0.0.1:4242")),
                Arguments.of("epoll, strerror only",
                        new ConnectException("finishConnect(..) failed: Connection refused: /127.0.0.1:4242")),
                Arguments.of("io_uring, bare", new ConnectException("Connection refused")),
                Arguments.of("io_uring, method prefix", new ConnectException("connect(..) failed: Connection refused")),
                Arguments.of("nio", new ConnectException("Connection refused")),
                Arguments.of("nio, annotated", new ConnectException("Connection refused: localhost/127.0.0.1:4242")),
                Arguments.of("ipv6 annotated", new ConnectException("Connection refused: /[0:0:0:0:0:0:0:1]:4242")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedForms")
    void connectionRefusedIsRefused(String form, Throwable failure) {
        assertThat(classify(failure)).isEqualTo(new ProbeOutcome.Refused(RTT));
    }

    @Test
    void refusedTextOutsideAConnectExceptionIsNotAnAnswer() {
        assertThat(classify(new SocketException("Connection refused"))).isInstanceOf(ProbeOutcome.LocalFault.class);
        assertThat(classify(new IOException("Connection refused"))).isInstanceOf(ProbeOutcome.LocalFault.class);
    }

    static Stream<Arguments> unreachableForms() {
        return Stream.of(
                Arguments.of(new ConnectException("finishConnect(..) failed with error(-113): No route to host: /10.0.0.1:80"),
                        Reason.HOST_UNREACH),
                Arguments.of(new NoRouteToHostException("No route to host"), Reason.HOST_UNREACH),
                Arguments.of(new NoRouteToHostException(), Reason.HOST_UNREACH), // Netty native connect(2)
                Arguments.of(new NoRouteToHostException("null: /10.0.0.1:80"), Reason.HOST_UNREACH), // annotated
                Arguments.of(new ConnectException("connect(..) failed with error(-112): Host is down"), Reason.HOST_UNREACH),
                Arguments.of(new ConnectException("finishConnect(..) failed with error(-101): Network is unreachable"),
                        Reason.NET_UNREACH),
                Arguments.of(new SocketException("Network is unreachable"), Reason.NET_UNREACH),
                Arguments.of(new ConnectException("Network is unreachable: /10.0.0.1:80"), Reason.NET_UNREACH),
                Arguments.of(new ConnectException("finishConnect(..) failed with error(-92): Protocol not available"),
                        Reason.PROTO_UNREACH),
                Arguments.of(new ConnectException("Protocol not available"), Reason.PROTO_UNREACH),
                Arguments.of(new ConnectException("connect(..) failed with error(-13): Permission denied"),
                        Reason.ADMIN_PROHIBITED),
                Arguments.of(new ConnectException("Permission denied"), Reason.ADMIN_PROHIBITED),
                Arguments.of(new ConnectException("connect(..) failed with error(-1): Operation not permitted"),
                        Reason.ADMIN_PROHIBITED),
                Arguments.of(new SocketException("Operation not permitted"), Reason.ADMIN_PROHIBITED));
    }

    @ParameterizedTest
    @MethodSource("unreachableForms")
    void unreachableAnswersAreFiltered(Throwable failure, Reason reason) {
        assertThat(classify(failure)).isEqualTo(new ProbeOutcome.Unreachable(reason, RTT));
    }

    static Stream<Arguments> localFaultForms() {
        return Stream.of(
                Arguments.of(new ConnectException("connect(..) failed with error(-24): Too many open files"), "EMFILE"),
                Arguments.of(new SocketException("Too many open files"), "EMFILE"),
                Arguments.of(new ChannelException(new IOException("newSocketStream(..) failed: Too many open files")), "EMFILE"),
                Arguments.of(new ChannelException("Failed to open a socket.", new SocketException("Too many open files")),
                        "EMFILE"),
                Arguments.of(new ConnectException("connect(..) failed with error(-23): Too many open files in system"), "ENFILE"),
                Arguments.of(new SocketException("Too many open files in system"), "ENFILE"),
                Arguments.of(new ConnectException("connect(..) failed with error(-105): No buffer space available"), "ENOBUFS"),
                Arguments.of(new SocketException("No buffer space available"), "ENOBUFS"),
                Arguments.of(new ConnectException("connect(..) failed with error(-99): Cannot assign requested address"),
                        "EADDRNOTAVAIL"),
                Arguments.of(new ConnectException("Cannot assign requested address"), "EADDRNOTAVAIL"),
                Arguments.of(new BindException("Cannot assign requested address"), "EADDRNOTAVAIL"),
                Arguments.of(new BindException(), "EADDRNOTAVAIL"),
                Arguments.of(new BindException("Address already in use"), "EADDRINUSE"),
                Arguments.of(new IOException("something new"), "UNKNOWN"),
                Arguments.of(new ClosedChannelException(), "UNKNOWN"),
                Arguments.of(new RuntimeException(), "UNKNOWN"),
                Arguments.of(new ConnectException(), "UNKNOWN"),
                Arguments.of(new ConnectException("connect(..) failed with error(-9999): Unknown error"), "UNKNOWN"));
    }

    @ParameterizedTest
    @MethodSource("localFaultForms")
    void localFaultsAreNeverAnAnswer(Throwable failure, String code) {
        ProbeOutcome outcome = classify(failure);
        assertThat(outcome).isInstanceOf(ProbeOutcome.LocalFault.class);
        assertThat(((ProbeOutcome.LocalFault) outcome).code()).isEqualTo(code);
        assertThat(((ProbeOutcome.LocalFault) outcome).message()).isNotBlank();
    }

    @Test
    void nativeErrnoOfSocketCreationIsUsed() {
        Assumptions.assumeTrue(Epoll.isAvailable(), "native transport not loaded");
        // What Netty's epoll socket() raises under EMFILE/ENFILE: a ChannelException around a NativeIoException.
        assertThat(classify(new ChannelException(Errors.newIOException("newSocketStream", -24))))
                .isInstanceOf(ProbeOutcome.LocalFault.class)
                .extracting(o -> ((ProbeOutcome.LocalFault) o).code())
                .isEqualTo("EMFILE");
        assertThat(classify(new ChannelException(Errors.newIOException("newSocketStream", -23))))
                .extracting(o -> ((ProbeOutcome.LocalFault) o).code())
                .isEqualTo("ENFILE");
        assertThat(classify(Errors.newIOException("connect", -105)))
                .extracting(o -> ((ProbeOutcome.LocalFault) o).code())
                .isEqualTo("ENOBUFS");
    }

    @Test
    void errnoWinsOverMessageText() {
        // A contrived message whose errno says EMFILE: the number decides, so it is not read as refused.
        assertThat(classify(new ConnectException("failed with error(-24): Connection refused")))
                .isInstanceOf(ProbeOutcome.LocalFault.class);
        assertThat(classify(new ConnectException("failed with error(-111): Too many open files")))
                .isEqualTo(new ProbeOutcome.Refused(RTT));
    }

    @Test
    void everyLocalFaultFormIsNeverRefused() {
        localFaultForms().forEach(args -> assertThat(classify((Throwable) args.get()[0]))
                .isNotInstanceOf(ProbeOutcome.Refused.class)
                .isNotInstanceOf(ProbeOutcome.Open.class));
    }

    @Test
    void causeCyclesDoNotLoop() {
        IOException a = new IOException("outer");
        IOException b = new IOException("inner", a);
        a.initCause(b);
        assertThat(classify(a)).isInstanceOf(ProbeOutcome.LocalFault.class);
    }

    /** The io_uring ring reports a connect's result as a bare negative errno. */
    static Stream<Arguments> ringErrnos() {
        return Stream.of(
                Arguments.of(111, new ProbeOutcome.Refused(RTT)),
                Arguments.of(110, new ProbeOutcome.NoResponse(RTT)),
                Arguments.of(113, new ProbeOutcome.Unreachable(Reason.HOST_UNREACH, RTT)),
                Arguments.of(112, new ProbeOutcome.Unreachable(Reason.HOST_UNREACH, RTT)),
                Arguments.of(101, new ProbeOutcome.Unreachable(Reason.NET_UNREACH, RTT)),
                Arguments.of(100, new ProbeOutcome.Unreachable(Reason.NET_UNREACH, RTT)),
                Arguments.of(92, new ProbeOutcome.Unreachable(Reason.PROTO_UNREACH, RTT)),
                Arguments.of(13, new ProbeOutcome.Unreachable(Reason.ADMIN_PROHIBITED, RTT)),
                Arguments.of(1, new ProbeOutcome.Unreachable(Reason.ADMIN_PROHIBITED, RTT)));
    }

    @ParameterizedTest(name = "errno {0}")
    @MethodSource("ringErrnos")
    void ringErrnosAreAnswers(int errno, ProbeOutcome expected) {
        assertThat(ConnectErrors.ofErrno(errno, RTT)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "errno {0} is {1}")
    @CsvSource({"24, EMFILE", "23, ENFILE", "105, ENOBUFS", "99, EADDRNOTAVAIL", "98, EADDRINUSE", "12, ENOMEM",
            "125, UNKNOWN", "103, UNKNOWN", "9, UNKNOWN"})
    void ringLocalAndUnknownErrnosAreLocalFaultsNeverAnswers(int errno, String code) {
        assertThat(ConnectErrors.ofErrno(errno, RTT)).isInstanceOfSatisfying(ProbeOutcome.LocalFault.class,
                fault -> {
                    assertThat(fault.code()).isEqualTo(code);
                    assertThat(fault.message()).contains("errno " + errno);
                });
    }
}
