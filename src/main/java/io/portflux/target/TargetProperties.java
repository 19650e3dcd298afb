package io.portflux.target;

import io.portflux.input.Settings;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * TargetProperties say which addresses scans may reach ({@code portflux.targets.*}).
 *
 * @param allow CIDRs a target must lie in, as a whole; anything else gets a 403
 * @param deny CIDRs no target may touch, on top of the built-in deny-list (link-local, metadata,
 *     multicast, broadcast, unspecified), which configuration cannot remove; deny wins over allow
 */
@ConfigurationProperties("portflux.targets")
public record TargetProperties(List<String> allow, List<String> deny) {

    public TargetProperties {
        allow = Settings.notEmpty("portflux.targets.allow", allow);
        deny = deny == null ? List.of() : List.copyOf(deny);
    }
}
