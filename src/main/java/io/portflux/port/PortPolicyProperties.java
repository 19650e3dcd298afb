package io.portflux.port;

import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * PortPolicyProperties name the ports no scan may probe ({@code portflux.ports.*}).
 *
 * @param deny ports or ranges ({@code 25}, {@code 6000-6063}); a scan asking for any of them gets
 *     a 403 naming the port, instead of being quietly trimmed
 */
@ConfigurationProperties("portflux.ports")
public record PortPolicyProperties(List<String> deny) {

    public PortPolicyProperties {
        deny = deny == null ? List.of() : List.copyOf(deny);
    }
}
