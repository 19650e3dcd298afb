/**
 * Metrics: Prometheus meters for scans, probes and the in-flight budget.
 *
 * <p>Everything here is non-null unless it is marked {@code @Nullable}.
 */
@NullMarked
package io.portflux.metrics;

import org.jspecify.annotations.NullMarked;
