/**
 * Service detection: short, bounded conversations with open ports on Netty pipelines through reactor-netty,
 * behind the engine's {@link io.portflux.scan.service.ServiceDetector} seam.
 *
 * <p>Everything here is non-null unless it is marked {@code @Nullable}.
 */
@NullMarked
package io.portflux.detect;

import org.jspecify.annotations.NullMarked;
