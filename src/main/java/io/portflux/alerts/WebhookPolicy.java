package io.portflux.alerts;

import io.portflux.input.InvalidInputException;
import io.portflux.target.AddressBlocks;
import io.portflux.target.TargetNotAllowedException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.stereotype.Component;

/**
 * WebhookPolicy decides where webhooks may go ({@code portflux.alerts.allow}): an http or https URL whose host is
 * an allowed address, an allowed name, or a name all of whose addresses are allowed. It is checked when a
 * schedule is written and again before every attempt, since a name may resolve elsewhere by then.
 */
@Component
public class WebhookPolicy {

    private final AddressBlocks blocks;
    private final Set<String> names = new TreeSet<>();
    /** The allow-list as configured, for messages. */
    private final List<String> allowed = new ArrayList<>();

    public WebhookPolicy(AlertProperties properties) {
        List<String> cidrs = new ArrayList<>();
        for (String element : properties.allow()) {
            for (String raw : element.split(",")) {
                String entry = raw.strip();
                if (entry.isEmpty()) {
                    continue;
                }
                allowed.add(entry);
                try {
                    AddressBlocks.of("portflux.alerts.allow", List.of(entry));
                    cidrs.add(entry);
                } catch (IllegalArgumentException notAnAddress) {
                    names.add(entry.toLowerCase(Locale.ROOT));
                }
            }
        }
        this.blocks = AddressBlocks.of("portflux.alerts.allow", cidrs);
    }

    /**
     * Checks webhook URL {@code url} given as {@code field}; may resolve its host name (blocking).
     *
     * @return the URL
     * @throws InvalidInputException when it is not an absolute http or https URL
     * @throws TargetNotAllowedException when its host is outside the policy
     */
    public URI check(String field, String url) {
        URI uri;
        try {
            uri = new URI(url.strip());
        } catch (URISyntaxException e) {
            throw new InvalidInputException(field, url, "not a URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new InvalidInputException(field, url, "must be an http:// or https:// URL");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new InvalidInputException(field, url, "has no host");
        }
        if (uri.getUserInfo() != null) {
            throw new InvalidInputException(field, url, "must not carry credentials");
        }
        String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        if (names.contains(bare.toLowerCase(Locale.ROOT))) {
            return uri;
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(bare);
        } catch (UnknownHostException e) {
            throw new InvalidInputException(field, url, "its host '" + bare + "' does not resolve");
        }
        for (InetAddress address : addresses) {
            if (!blocks.contains(address)) {
                throw new TargetNotAllowedException(field, url, "the webhook host " + address.getHostAddress()
                        + " is outside portflux.alerts.allow (" + String.join(", ", allowed) + ")");
            }
        }
        return uri;
    }
}
