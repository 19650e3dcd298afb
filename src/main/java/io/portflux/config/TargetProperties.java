package io.portflux.config;

import jakarta.validation.constraints.NotEmpty;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * TargetProperties say which addresses scans may reach ({@code portflux.targets.*}).
 *
 * @param allow CIDRs a target must lie in, as a whole; anything else gets a 403
 */
@Validated
@ConfigurationProperties("portflux.targets")
public record TargetProperties(@NotEmpty List<String> allow) {}
