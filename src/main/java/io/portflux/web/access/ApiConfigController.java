package io.portflux.web.access;

import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * ApiConfigController tells the page, without a token, whether the API wants one
 * ({@code GET /api/config}), so that it asks for the token before the first refusal.
 */
@RestController
public class ApiConfigController {

    private final ApiTokens tokens;
    private final SecurityProperties security;

    public ApiConfigController(ApiTokens tokens, SecurityProperties security) {
        this.tokens = tokens;
        this.security = security;
    }

    @GetMapping(path = "/api/config", produces = MediaType.APPLICATION_JSON_VALUE)
    public Map<String, Object> config() {
        return Map.of("authRequired", tokens.required(), "ticketTtlSeconds", security.ticketTtl().toSeconds());
    }
}
