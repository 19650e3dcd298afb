/**
 * Ports: port lists and presets (top-100, top-1000), service names, and the ports never probed.
 *
 * <p>Everything here is non-null unless it is marked {@code @Nullable}.
 */
@NullMarked
package io.portflux.port;

import org.jspecify.annotations.NullMarked;
