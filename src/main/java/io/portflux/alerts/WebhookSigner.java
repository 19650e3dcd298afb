package io.portflux.alerts;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * WebhookSigner signs a webhook body as {@code X-PortFlux-Signature: sha256=<hex>}: HMAC-SHA256 over the raw bytes
 * of the body, with the key {@code portflux.alerts.secret} (as UTF-8), the way GitHub signs its webhooks.
 */
public final class WebhookSigner {

    public static final String HEADER = "X-PortFlux-Signature";
    private static final String ALGORITHM = "HmacSHA256";

    private WebhookSigner() {}

    /** {@code sha256=} and the lower-case hex HMAC-SHA256 of {@code body} under {@code secret}. */
    public static String signature(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }
}
