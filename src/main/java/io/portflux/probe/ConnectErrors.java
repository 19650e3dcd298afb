package io.portflux.probe;

import io.netty.channel.unix.Errors;
import io.portflux.scan.ProbeOutcome;
import io.portflux.scan.Reason;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ConnectErrors classifies a failed connect attempt into a {@link ProbeOutcome}; it is the one place
 * that knows how each transport spells its errors.
 *
 * <p>The errno is preferred when the exception carries one (Netty's native {@code NativeIoException},
 * or {@code error(-N)} in the message); otherwise the strerror text decides, because the epoll, io_uring
 * and NIO transports raise the same {@code ConnectException} type with different messages. Anything
 * not recognised is a {@link ProbeOutcome.LocalFault} with code {@code UNKNOWN}: a port is only ever
 * called closed on a positive "Connection refused".
 */
public final class ConnectErrors {

    private static final Pattern ERRNO = Pattern.compile("error\\((-?\\d+)\\)");
    /** Netty wraps at most a few levels; the bound guards against cause cycles. */
    private static final int MAX_CAUSE_DEPTH = 8;

    private ConnectErrors() {}

    /** Classifies {@code failure}, observed {@code rtt} after the connect started. */
    public static ProbeOutcome classify(Throwable failure, Duration rtt) {
        ProbeOutcome outcome = firstInCauses(failure, t -> classifyOne(t, rtt));
        return outcome != null ? outcome : new ProbeOutcome.LocalFault("UNKNOWN", describe(failure));
    }

    /** The first non-null answer of {@code look} for {@code failure} or its causes, nearest first. */
    private static <T> T firstInCauses(Throwable failure, Function<Throwable, T> look) {
        Throwable t = failure;
        for (int depth = 0; t != null && depth < MAX_CAUSE_DEPTH; depth++) {
            T found = look.apply(t);
            if (found != null) {
                return found;
            }
            t = t.getCause() == t ? null : t.getCause();
        }
        return null;
    }

    private static ProbeOutcome classifyOne(Throwable t, Duration rtt) {
        // Netty's ConnectTimeoutException is a ConnectException: it must be tested first.
        if (t instanceof io.netty.channel.ConnectTimeoutException || t instanceof SocketTimeoutException) {
            return new ProbeOutcome.NoResponse(rtt);
        }
        String message = t.getMessage();
        int errno = errno(t, message);
        if (errno != 0) {
            ProbeOutcome byNumber = byErrno(errno, rtt, describe(t));
            if (byNumber != null) {
                return byNumber;
            }
        }
        if (message != null) {
            ProbeOutcome byText = byText(message, t, rtt);
            if (byText != null) {
                return byText;
            }
        }
        // Netty's native transports raise a message-less NoRouteToHostException for both
        // EHOSTUNREACH and ENETUNREACH from connect(2); host-unreach is the closer guess.
        if (t instanceof NoRouteToHostException) {
            return new ProbeOutcome.Unreachable(Reason.HOST_UNREACH, rtt);
        }
        if (t instanceof BindException) {
            return fault("EADDRNOTAVAIL", t);
        }
        return null;
    }

    /** The positive errno carried by {@code t} or one of its causes, or 0 when none says. */
    static int errnoOf(Throwable failure) {
        Integer errno = firstInCauses(failure, t -> {
            int n = errno(t, t.getMessage());
            return n != 0 ? n : null;
        });
        return errno != null ? errno : 0;
    }

    /** The positive errno carried by {@code t}, or 0. */
    private static int errno(Throwable t, String message) {
        if (t instanceof Errors.NativeIoException nativeIo) {
            return Math.abs(nativeIo.expectedErr());
        }
        if (message != null && message.indexOf("error(") >= 0) {
            Matcher m = ERRNO.matcher(message);
            if (m.find()) {
                try {
                    return Math.abs(Integer.parseInt(m.group(1)));
                } catch (NumberFormatException ignored) {
                    return 0;
                }
            }
        }
        return 0;
    }

    /**
     * Classifies a connect that failed with the positive Linux {@code errno}, as io_uring reports it;
     * an errno this table does not know is a local fault, never an answer from the target.
     */
    public static ProbeOutcome ofErrno(int errno, Duration rtt) {
        String detail = "connect failed: errno " + errno;
        ProbeOutcome outcome = byErrno(errno, rtt, detail);
        return outcome != null ? outcome : new ProbeOutcome.LocalFault("UNKNOWN", detail);
    }

    // Linux errno numbers; the text fallback below covers other spellings.
    private static ProbeOutcome byErrno(int errno, Duration rtt, String detail) {
        return switch (errno) {
            case 111 -> new ProbeOutcome.Refused(rtt); // ECONNREFUSED
            case 110 -> new ProbeOutcome.NoResponse(rtt); // ETIMEDOUT (kernel gave up on SYNs)
            case 113, 112 -> new ProbeOutcome.Unreachable(Reason.HOST_UNREACH, rtt); // EHOSTUNREACH, EHOSTDOWN
            case 101, 100 -> new ProbeOutcome.Unreachable(Reason.NET_UNREACH, rtt); // ENETUNREACH, ENETDOWN
            case 92 -> new ProbeOutcome.Unreachable(Reason.PROTO_UNREACH, rtt); // ENOPROTOOPT
            case 13, 1 -> new ProbeOutcome.Unreachable(Reason.ADMIN_PROHIBITED, rtt); // EACCES, EPERM
            case 24 -> new ProbeOutcome.LocalFault("EMFILE", detail);
            case 23 -> new ProbeOutcome.LocalFault("ENFILE", detail);
            case 105 -> new ProbeOutcome.LocalFault("ENOBUFS", detail);
            case 99 -> new ProbeOutcome.LocalFault("EADDRNOTAVAIL", detail);
            case 98 -> new ProbeOutcome.LocalFault("EADDRINUSE", detail);
            case 12 -> new ProbeOutcome.LocalFault("ENOMEM", detail);
            default -> null;
        };
    }

    private static ProbeOutcome byText(String message, Throwable t, Duration rtt) {
        String m = message.toLowerCase(Locale.ROOT);
        // Local faults first: their texts must never be read as an answer from the target.
        if (m.contains("too many open files in system")) {
            return fault("ENFILE", t);
        }
        if (m.contains("too many open files")) {
            return fault("EMFILE", t);
        }
        if (m.contains("no buffer space available")) {
            return fault("ENOBUFS", t);
        }
        if (m.contains("cannot assign requested address")) {
            return fault("EADDRNOTAVAIL", t);
        }
        if (m.contains("address already in use")) {
            return fault("EADDRINUSE", t);
        }
        if (m.contains("cannot allocate memory")) {
            return fault("ENOMEM", t);
        }
        if (m.contains("connection refused")) {
            // Only a connect failure is an answer from the peer.
            return t instanceof ConnectException ? new ProbeOutcome.Refused(rtt) : null;
        }
        if (m.contains("connection timed out")) {
            return new ProbeOutcome.NoResponse(rtt);
        }
        if (m.contains("no route to host") || m.contains("host is down")) {
            return new ProbeOutcome.Unreachable(Reason.HOST_UNREACH, rtt);
        }
        if (m.contains("network is unreachable") || m.contains("network is down")) {
            return new ProbeOutcome.Unreachable(Reason.NET_UNREACH, rtt);
        }
        if (m.contains("protocol not available")) {
            return new ProbeOutcome.Unreachable(Reason.PROTO_UNREACH, rtt);
        }
        if (m.contains("permission denied") || m.contains("operation not permitted")) {
            return new ProbeOutcome.Unreachable(Reason.ADMIN_PROHIBITED, rtt);
        }
        return null;
    }

    private static ProbeOutcome.LocalFault fault(String code, Throwable t) {
        return new ProbeOutcome.LocalFault(code, describe(t));
    }

    private static String describe(Throwable t) {
        String message = t.getMessage();
        return message == null ? t.getClass().getName() : t.getClass().getSimpleName() + ": " + message;
    }
}
