/**
 * The HTTP API: problem details for every refused request; the endpoints live in the packages below.
 *
 * <p>Everything here is non-null unless it is marked {@code @Nullable}.
 */
@NullMarked
package io.portflux.web;

import org.jspecify.annotations.NullMarked;
