package io.portflux.scan;

import java.util.Locale;

/** PortState is the verdict on one port of one host, as in nmap's connect scan. */
public enum PortState {
    OPEN,
    CLOSED,
    FILTERED,
    /** The probe failed locally and the state is unknown; counted in {@code errors}. */
    ERROR;

    /** The lower-case wire name, e.g. {@code open}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
