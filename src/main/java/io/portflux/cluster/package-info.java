/**
 * One scan, many replicas: which scans are shared by the replicas, and the worker on every replica that claims
 * their ranges, probes them, records their watermarks and hands them back at shutdown.
 *
 * <p>Everything here is non-null unless it is marked {@code @Nullable}.
 */
@NullMarked
package io.portflux.cluster;

import org.jspecify.annotations.NullMarked;
