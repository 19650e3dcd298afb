package io.portflux.web.access;

import java.net.InetSocketAddress;
import org.springframework.web.server.ServerWebExchange;

/**
 * ClientIdentity names the client of a request for quotas and the audit log: the token's
 * non-secret id when authentication is on, else the remote address.
 */
public final class ClientIdentity {

    /** Exchange attribute under which {@link AccessFilter} leaves the authenticated client's id. */
    static final String ATTRIBUTE = ClientIdentity.class.getName();

    private ClientIdentity() {}

    public static String of(ServerWebExchange exchange) {
        Object id = exchange.getAttribute(ATTRIBUTE);
        return id instanceof String s ? s : address(exchange);
    }

    static String address(ServerWebExchange exchange) {
        InetSocketAddress remote = exchange.getRequest().getRemoteAddress();
        if (remote == null) {
            return "addr:unknown";
        }
        return "addr:" + (remote.getAddress() != null ? remote.getAddress().getHostAddress() : remote.getHostString());
    }
}
