/**
 * Quotas: per-client limits on running scans, scans per minute, probes and duration.
 *
 * <p>Everything here is non-null unless it is marked {@code @Nullable}.
 */
@NullMarked
package io.portflux.web.quota;

import org.jspecify.annotations.NullMarked;
