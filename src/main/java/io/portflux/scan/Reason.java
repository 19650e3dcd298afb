package io.portflux.scan;

/** Reason says why a port got its state; the wire names follow nmap's {@code --reason}. */
public enum Reason {
    CONN_ACCEPT("conn-accept", PortState.OPEN),
    CONN_REFUSED("conn-refused", PortState.CLOSED),
    SELF_CONNECT("self-connect", PortState.CLOSED),
    NO_RESPONSE("no-response", PortState.FILTERED),
    HOST_UNREACH("host-unreach", PortState.FILTERED),
    NET_UNREACH("net-unreach", PortState.FILTERED),
    PROTO_UNREACH("proto-unreach", PortState.FILTERED),
    ADMIN_PROHIBITED("admin-prohibited", PortState.FILTERED),
    LOCAL_FAULT("local-fault", PortState.ERROR);

    private final String wireName;
    private final PortState state;

    Reason(String wireName, PortState state) {
        this.wireName = wireName;
        this.state = state;
    }

    public String wireName() {
        return wireName;
    }

    public PortState state() {
        return state;
    }
}
