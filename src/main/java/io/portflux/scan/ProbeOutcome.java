package io.portflux.scan;

import java.time.Duration;
import java.util.Objects;

/** ProbeOutcome is what one connect attempt learned, before retries are applied. */
public sealed interface ProbeOutcome {

    /** The connect succeeded with another socket. */
    record Open(Duration rtt) implements ProbeOutcome {
        public Open {
            Objects.requireNonNull(rtt, "rtt");
        }
    }

    /** The peer refused the connection (RST or ICMP port unreachable). */
    record Refused(Duration rtt) implements ProbeOutcome {
        public Refused {
            Objects.requireNonNull(rtt, "rtt");
        }
    }

    /** No answer came before the connect timeout. Retried by the engine. */
    record NoResponse(Duration rtt) implements ProbeOutcome {
        public NoResponse {
            Objects.requireNonNull(rtt, "rtt");
        }
    }

    /** A router or the kernel answered that the port cannot be reached (EHOSTUNREACH and friends). */
    record Unreachable(Reason reason, Duration rtt) implements ProbeOutcome {
        public Unreachable {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(rtt, "rtt");
            if (reason.state() != PortState.FILTERED) {
                throw new IllegalArgumentException("not a filtered reason: " + reason);
            }
        }
    }

    /** The socket connected to itself (loopback source port equal to the target port). */
    record SelfConnect() implements ProbeOutcome {}

    /**
     * The prober shut down (its event loops are closing) before this probe had an answer: the port is
     * unknown. Unlike a {@link LocalFault} it is not retried and does not cut the in-flight budget,
     * because nothing will ever free up.
     */
    record ShutDown() implements ProbeOutcome {}

    /**
     * A local resource fault (EMFILE, ENFILE, ENOBUFS, EADDRNOTAVAIL): the target was never asked, so
     * the port state is unknown. Never reported as closed.
     */
    record LocalFault(String code, String message) implements ProbeOutcome {
        public LocalFault {
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(message, "message");
        }
    }
}
