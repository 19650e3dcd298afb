package io.portflux.target;

import jakarta.validation.constraints.NotEmpty;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * TargetProperties say which addresses scans may reach ({@code portflux.targets.*}).
 *
 * @param allow CIDRs a target must lie in, as a whole; anything else gets a 403
 * @param deny CIDRs no target may touch, on top of the built-in deny-list (link-local, metadata,
 *     multicast, broadcast, unspecified), which configuration cannot remove; deny wins over allow
 */
@Validated
@ConfigurationProperties("portflux.targets")
public record TargetProperties(@NotEmpty List<String> allow, List<String> deny) {

    public TargetProperties {
        allow = allow == null ? null : List.copyOf(allow);
        deny = deny == null ? List.of() : List.copyOf(deny);
    }
}
