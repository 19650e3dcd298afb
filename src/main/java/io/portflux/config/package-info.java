/**
 * Wiring: the engine, probe and HTTP event loops as Spring beans.
 *
 * <p>Everything here is non-null unless it is marked {@code @Nullable}.
 */
@NullMarked
package io.portflux.config;

import org.jspecify.annotations.NullMarked;
