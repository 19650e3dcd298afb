package io.portflux.scan;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * ScanObserver hears what every scan does, for metrics; it must be cheap and must not block,
 * since it runs on the probe event loops.
 */
public interface ScanObserver {

    /** An observer that does nothing. */
    ScanObserver NONE = new ScanObserver() {};

    /** A scan begins probing. */
    default void scanStarted() {}

    /** A scan ended with {@code status}, one of {@link ScanStatus#FINAL}. */
    default void scanFinished(ScanStatus status) {}

    /** One probe got its final verdict; {@code rtt} is null when there was no answer. */
    default void verdict(Reason reason, @Nullable Duration rtt) {}

    /** One connect attempt failed locally with {@code code} (EMFILE, ENOBUFS, ...). */
    default void localFault(String code) {}

    /**
     * Service detection on one open port is over after {@code took}: {@code method} is {@code probed} (it named
     * {@code service}) or {@code table} (only the port table's guess).
     */
    default void detected(String method, @Nullable String service, Duration took) {}
}
