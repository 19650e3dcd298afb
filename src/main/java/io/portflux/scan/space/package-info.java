/**
 * The lazy probe space: hosts as an index space, walked in a keyed pseudo-random order.
 *
 * <p>Everything here is non-null unless it is marked {@code @Nullable}.
 */
@NullMarked
package io.portflux.scan.space;

import org.jspecify.annotations.NullMarked;
