package io.portflux.web.access;

import io.portflux.web.problem.ProblemTypes;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * AccessFilter asks for a bearer token on every path but the page, its assets, the health probes,
 * {@code GET /api/config} and (unless protected) the metrics, once tokens are configured.
 *
 * <p>Everything not named as open needs a token, so an odd spelling of an API path is refused
 * rather than let through. The one exception to the token is a valid stream ticket, and only on
 * {@code GET /api/scans/{id}/events} and {@code GET /api/scans/{id}/results} (a download link) for the scan it
 * was issued for. A plain WebFilter does this:
 * three path rules and a constant-time compare do not call for Spring Security's filter chain.
 * Nothing here logs the {@code Authorization} header or a ticket.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
public class AccessFilter implements WebFilter {

    static final String BEARER = "Bearer ";
    static final String CHALLENGE = "Bearer realm=\"portflux\"";

    private static final Pattern EVENTS = Pattern.compile("/api/scans/([A-Za-z0-9_-]+)/(?:events|results)");
    /** The page and its assets: no data in them, and the page must load to ask for a token. */
    private static final Pattern PAGE = Pattern.compile("/|/index\\.html|/favicon\\.svg|/(css|js)/[A-Za-z0-9_.-]+");
    private static final Set<String> OPEN_API = Set.of("/api/config");

    private final ApiTokens tokens;
    private final StreamTickets tickets;
    private final SecurityProperties properties;

    public AccessFilter(ApiTokens tokens, StreamTickets tickets, SecurityProperties properties) {
        this.tokens = tokens;
        this.tickets = tickets;
        this.properties = properties;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (!tokens.required()) {
            return chain.filter(exchange);
        }
        String path = exchange.getRequest().getPath().pathWithinApplication().value();
        Optional<String> client = tokens.clientOf(bearer(exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION)));
        if (client.isPresent()) {
            exchange.getAttributes().put(ClientIdentity.ATTRIBUTE, client.get());
            return chain.filter(exchange);
        }
        if (open(path) || ticketOpens(exchange, path)) {
            return chain.filter(exchange);
        }
        boolean tokenGiven = exchange.getRequest().getHeaders().containsHeader(HttpHeaders.AUTHORIZATION);
        boolean ticketGiven = exchange.getRequest().getQueryParams().containsKey("ticket");
        String detail = tokenGiven ? "the bearer token is not valid"
                : ticketGiven ? "the stream ticket is not valid here: it opens only the events and results of its own scan, until it expires"
                : "this endpoint needs a bearer token: send 'Authorization: Bearer <token>'";
        return unauthorized(exchange, detail, tokenGiven || ticketGiven);
    }

    private boolean open(String path) {
        // Anything a normaliser might read differently is never treated as an open path.
        if (path.contains("..") || path.contains("//") || path.contains("%") || path.contains(";") || path.contains("\\")) {
            return false;
        }
        if (PAGE.matcher(path).matches() || OPEN_API.contains(path)) {
            return true;
        }
        if (path.equals("/actuator/health") || path.startsWith("/actuator/health/")) {
            return true;
        }
        return !properties.protectMetrics() && (path.equals("/actuator") || path.startsWith("/actuator/"));
    }

    private boolean ticketOpens(ServerWebExchange exchange, String path) {
        if (exchange.getRequest().getMethod() != HttpMethod.GET) {
            return false;
        }
        Matcher events = EVENTS.matcher(path);
        return events.matches() && tickets.valid(exchange.getRequest().getQueryParams().getFirst("ticket"), events.group(1));
    }

    private static String bearer(String authorization) {
        if (authorization == null || authorization.length() <= BEARER.length()
                || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return null;
        }
        return authorization.substring(BEARER.length()).strip();
    }

    private static Mono<Void> unauthorized(ServerWebExchange exchange, String detail, boolean invalid) {
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(HttpStatus.UNAUTHORIZED);
        HttpHeaders headers = response.getHeaders();
        headers.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        headers.setCacheControl(CacheControl.noStore());
        // RFC 6750: say that a token was given but is wrong, so a client knows not to retry it as is.
        headers.set(HttpHeaders.WWW_AUTHENTICATE, invalid ? CHALLENGE + ", error=\"invalid_token\"" : CHALLENGE);
        String body = "{\"type\":\"" + ProblemTypes.BASE + "unauthorized\",\"title\":\"Unauthorized\","
                + "\"status\":401,\"detail\":\"" + detail.replace("\"", "'") + "\","
                + "\"instance\":\"" + exchange.getRequest().getPath().value().replace("\\", "%5C").replace("\"", "%22") + "\"}";
        DataBuffer buffer = response.bufferFactory().wrap(body.getBytes(StandardCharsets.UTF_8));
        return response.writeWith(Mono.just(buffer));
    }
}
