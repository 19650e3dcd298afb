package io.portflux.scan;

import java.util.List;
import java.util.Locale;

/** ScanStatus is where a scan stands: running, or how it ended; its wire name is the lower-case name. */
public enum ScanStatus {
    /** Probing, or waiting to. */
    RUNNING,
    /** Every probe has its verdict. */
    COMPLETED,
    /** Stopped early: by a request, the client going away, the duration limit or a shutdown. */
    CANCELLED,
    /** Broke off with an error; the done event carries the message. */
    FAILED,
    /** Its replica stopped before the scan ended (killed, or lost); set from the store, never by the engine. */
    INTERRUPTED;

    /** The statuses a scan ends with. */
    public static final List<ScanStatus> FINAL = List.of(COMPLETED, CANCELLED, FAILED, INTERRUPTED);

    /** The name in events, snapshots, metrics and logs: {@code running}, {@code completed}, ... */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The status with the wire name {@code name}. */
    public static ScanStatus ofWireName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
