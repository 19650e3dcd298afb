/**
 * The engine's seam to service detection: what the scanner asks of a detector, and what it gets back.
 *
 * <p>Everything here is non-null unless it is marked {@code @Nullable}.
 */
@NullMarked
package io.portflux.scan.service;

import org.jspecify.annotations.NullMarked;
