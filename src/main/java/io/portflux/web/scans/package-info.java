/**
 * Scan endpoints: streamed scans, background scans with their registry, snapshots and audit.
 *
 * <p>Everything here is non-null unless it is marked {@code @Nullable}.
 */
@NullMarked
package io.portflux.web.scans;

import org.jspecify.annotations.NullMarked;
