/**
 * PortFlux: a reactive TCP connect-scan service; the features live in the packages below.
 *
 * <p>Everything here is non-null unless it is marked {@code @Nullable}.
 */
@NullMarked
package io.portflux;

import org.jspecify.annotations.NullMarked;
