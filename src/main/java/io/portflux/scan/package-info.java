/**
 * The scan engine: a request becomes a plan, and a plan a Flux of events from bounded, merged connect probes.
 *
 * <p>Everything here is non-null unless it is marked {@code @Nullable}.
 */
@NullMarked
package io.portflux.scan;

import org.jspecify.annotations.NullMarked;
