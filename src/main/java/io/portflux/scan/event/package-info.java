/**
 * Scan events: the started, port, progress and done events, and the journal that replays them.
 *
 * <p>Everything here is non-null unless it is marked {@code @Nullable}.
 */
@NullMarked
package io.portflux.scan.event;

import org.jspecify.annotations.NullMarked;
