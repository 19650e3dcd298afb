package io.portflux.alerts;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * WebhookSender makes one attempt at a webhook delivery: a JSON POST of the stored body, with its delivery id
 * and signature in headers, to a URL the {@link WebhookPolicy} allows at that moment. Any 2xx answer delivers it;
 * anything else, a refusal by the policy included, is a failed attempt for the caller to retry.
 */
@Component
public class WebhookSender {

    public static final String DELIVERY_HEADER = "X-PortFlux-Delivery";
    public static final String EVENT_HEADER = "X-PortFlux-Event";

    private static final Logger log = LoggerFactory.getLogger(WebhookSender.class);

    // Built at the first delivery: most starts send no webhook, and building the client took ~50 ms of a start.
    private final ObjectProvider<WebClient> client;
    private final WebhookPolicy policy;
    private final AlertProperties properties;

    public WebhookSender(@Qualifier("alertsWebClient") ObjectProvider<WebClient> client, WebhookPolicy policy,
            AlertProperties properties) {
        this.client = client;
        this.policy = policy;
        this.properties = properties;
        if (properties.secret().isEmpty()) {
            log.warn("portflux.alerts.secret is empty: webhooks go out without an X-PortFlux-Signature");
        }
    }

    /** The outcome of one attempt: delivered (a 2xx), or the reason it failed. */
    public record Attempt(boolean delivered, @Nullable String error) {}

    /** Posts {@code body} as delivery {@code id} (event {@code event}) to {@code url}; never fails. */
    public Mono<Attempt> send(String url, String id, String event, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return Mono.fromCallable(() -> policy.check("alerts.webhook", url))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(uri -> post(uri, id, event, bytes))
                .timeout(properties.timeout())
                .onErrorResume(error -> Mono.just(new Attempt(false, error.getClass().getSimpleName() + ": "
                        + error.getMessage())));
    }

    private Mono<Attempt> post(URI uri, String id, String event, byte[] bytes) {
        WebClient.RequestBodySpec request = client.getObject().post().uri(uri)
                .contentType(MediaType.APPLICATION_JSON)
                .header(DELIVERY_HEADER, id)
                .header(EVENT_HEADER, event);
        if (!properties.secret().isEmpty()) {
            request = request.header(WebhookSigner.HEADER, WebhookSigner.signature(properties.secret(), bytes));
        }
        return request.bodyValue(bytes)
                .exchangeToMono(response -> response.releaseBody().thenReturn(response.statusCode().is2xxSuccessful()
                        ? new Attempt(true, null)
                        : new Attempt(false, "HTTP " + response.statusCode().value())));
    }
}
